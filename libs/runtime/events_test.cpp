#include "libs/runtime/events.h"

#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "libs/runtime/testing/fake_client.h"

namespace fluxcpp::runtime {
namespace {

const kube::GroupVersionKind kEvent{"", "v1", "Event"};

object::Value Repo() {
  return {{"apiVersion", "source.toolkit.fluxcd.io/v1"},
          {"kind", "GitRepository"},
          {"metadata",
           {{"name", "podinfo"},
            {"namespace", "flux-system"},
            {"uid", "1234"},
            {"resourceVersion", "42"},
            {"annotations",
             {{"event.toolkit.fluxcd.io/env", "prod"},
              {"event.toolkit.fluxcd.io/source.toolkit.fluxcd.io/revision", "from-annotation"},
              {"unrelated", "x"}}}}}};
}

struct Sink {
  std::mutex mu;
  std::vector<FluxEvent> events;
  EventSink fn() {
    return [this](const FluxEvent& e) {
      std::lock_guard<std::mutex> l(mu);
      events.push_back(e);
    };
  }
};

TEST_CASE("EventRecorder writes Kubernetes events and forwards Flux events", "[events]") {
  testing::FakeClient client;
  Sink sink;
  EventRecorderOptions opts;
  opts.controller_name = "source-controller";
  opts.reporting_instance = "source-controller-abc";
  opts.sink = sink.fn();
  EventRecorder recorder(client, opts);

  recorder.Normal(Repo(), "Succeeded", "stored artifact for commit 'abc'",
                  {{"source.toolkit.fluxcd.io/revision", "main@sha1:abc"}});
  REQUIRE(recorder.Flush());
  auto events = client.Objects(kEvent);
  REQUIRE(events.size() == 1);
  const object::Value& ev = events[0];
  REQUIRE(object::GetString(ev, {"metadata", "namespace"}) == "flux-system");
  REQUIRE(object::GetString(ev, {"metadata", "name"}).rfind("podinfo.", 0) == 0);
  REQUIRE(object::GetString(ev, {"type"}) == "Normal");
  REQUIRE(object::GetString(ev, {"reason"}) == "Succeeded");
  REQUIRE(object::GetString(ev, {"message"}) == "stored artifact for commit 'abc'");
  REQUIRE(object::GetString(ev, {"source", "component"}) == "source-controller");
  REQUIRE(object::GetString(ev, {"involvedObject", "kind"}) == "GitRepository");
  REQUIRE(object::GetString(ev, {"involvedObject", "uid"}) == "1234");
  REQUIRE(object::GetInt(ev, {"count"}) == 1);
  REQUIRE(object::GetString(ev, {"metadata", "annotations", "source.toolkit.fluxcd.io/revision"}) ==
          "main@sha1:abc");
  REQUIRE(!object::GetString(ev, {"firstTimestamp"}).empty());

  REQUIRE(sink.events.size() == 1);
  const FluxEvent& fe = sink.events[0];
  REQUIRE(fe.severity == "info");
  REQUIRE(fe.reason == "Succeeded");
  REQUIRE(fe.reporting_controller == "source-controller");
  REQUIRE(fe.reporting_instance == "source-controller-abc");
  REQUIRE(fe.metadata.at("env") == "prod");
  REQUIRE(fe.metadata.at("source.toolkit.fluxcd.io/revision") == "main@sha1:abc");  // caller wins
  REQUIRE(fe.metadata.count("unrelated") == 0);

  object::Value json = fe.ToValue();
  REQUIRE(json["involvedObject"] == object::Value({{"kind", "GitRepository"},
                                                   {"namespace", "flux-system"},
                                                   {"name", "podinfo"},
                                                   {"uid", "1234"},
                                                   {"apiVersion", "source.toolkit.fluxcd.io/v1"},
                                                   {"resourceVersion", "42"}}));
  std::vector<std::string> keys;
  for (auto it = json.begin(); it != json.end(); ++it) keys.push_back(it.key());
  REQUIRE(keys == std::vector<std::string>{"involvedObject", "severity", "timestamp", "message", "reason", "metadata",
                                           "reportingController", "reportingInstance"});
}

TEST_CASE("Warnings are errors; Trace is Normal and not forwarded", "[events]") {
  testing::FakeClient client;
  Sink sink;
  EventRecorderOptions opts;
  opts.controller_name = "kustomize-controller";
  opts.sink = sink.fn();
  EventRecorder recorder(client, opts);
  recorder.Warning(Repo(), "BuildFailed", "kustomize build failed");
  recorder.Trace(Repo(), "ArtifactUpToDate", "artifact up-to-date with remote revision: 'main@sha1:abc'");
  REQUIRE(recorder.Flush());
  auto events = client.Objects(kEvent);
  REQUIRE(events.size() == 2);
  int warnings = 0, normals = 0;
  for (const auto& e : events) (object::GetString(e, {"type"}) == "Warning" ? warnings : normals)++;
  REQUIRE(warnings == 1);
  REQUIRE(normals == 1);
  REQUIRE(sink.events.size() == 1);
  REQUIRE(sink.events[0].severity == "error");
  REQUIRE(sink.events[0].reason == "BuildFailed");
}

TEST_CASE("Repeated events are aggregated by count", "[events]") {
  testing::FakeClient client;
  EventRecorderOptions opts;
  opts.controller_name = "source-controller";
  EventRecorder recorder(client, opts);
  for (int i = 0; i < 3; ++i) recorder.Warning(Repo(), "GitOperationFailed", "failed to checkout");
  recorder.Warning(Repo(), "GitOperationFailed", "another message");
  REQUIRE(recorder.Flush());
  auto events = client.Objects(kEvent);
  REQUIRE(events.size() == 2);
  int64_t max_count = 0;
  for (const auto& e : events) max_count = std::max(max_count, object::GetInt(e, {"count"}));
  REQUIRE(max_count == 3);
}

TEST_CASE("Cluster-scoped objects get events in the default namespace", "[events]") {
  testing::FakeClient client;
  EventRecorder recorder(client, {.controller_name = "x"});
  object::Value ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "apps"}}}};
  recorder.Normal(ns, "Created", "hello");
  REQUIRE(recorder.Flush());
  auto events = client.Objects(kEvent);
  REQUIRE(events.size() == 1);
  REQUIRE(object::GetString(events[0], {"metadata", "namespace"}) == "default");
}

}  // namespace
}  // namespace fluxcpp::runtime

namespace fluxcpp::runtime {
namespace {

TEST_CASE("Event messages are capped at 32 KiB on a UTF-8 boundary", "[events]") {
  std::string big(40000, 'x');
  std::string cut = TruncateEventMessage(big);
  REQUIRE(cut.size() == kMaxEventMessageBytes);
  REQUIRE(cut.substr(cut.size() - 3) == "...");
  // A two-byte character straddling the cut is dropped whole.
  std::string utf = std::string(8, 'a') + "\xC3\xA9" + std::string(8, 'b');
  REQUIRE(TruncateEventMessage(utf, 12) == std::string(8, 'a') + "...");
  REQUIRE(TruncateEventMessage("short") == "short");

  testing::FakeClient client;
  EventRecorder recorder(client, {.controller_name = "source-controller"});
  recorder.Warning(Repo(), "BuildFailed", big);
  REQUIRE(recorder.Flush());
  auto events = client.Objects(kEvent);
  REQUIRE(events.size() == 1);
  REQUIRE(object::GetString(events[0], {"message"}).size() == kMaxEventMessageBytes);
}

TEST_CASE("Identical events are forwarded once per dedup window", "[events]") {
  testing::FakeClient client;
  Sink sink;
  EventRecorderOptions opts;
  opts.controller_name = "kustomize-controller";
  opts.sink = sink.fn();
  opts.forward_dedup_window = std::chrono::milliseconds(300);
  EventRecorder recorder(client, opts);
  for (int i = 0; i < 50; ++i) recorder.Warning(Repo(), "HealthCheckFailed", "timeout waiting for: Deployment/x");
  recorder.Warning(Repo(), "HealthCheckFailed", "another message");
  recorder.Warning(Repo(), "HealthCheckFailed", "timeout waiting for: Deployment/x", {{"revision", "v2"}});
  REQUIRE(recorder.Flush());
  {
    std::lock_guard<std::mutex> l(sink.mu);
    REQUIRE(sink.events.size() == 3);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  recorder.Warning(Repo(), "HealthCheckFailed", "timeout waiting for: Deployment/x");
  REQUIRE(recorder.Flush());
  std::lock_guard<std::mutex> l(sink.mu);
  REQUIRE(sink.events.size() == 4);
}

}  // namespace
}  // namespace fluxcpp::runtime
