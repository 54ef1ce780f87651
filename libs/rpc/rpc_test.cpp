#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "libs/rpc/artifact_hub.h"
#include "libs/rpc/artifact_watcher.h"
#include "libs/rpc/event_json.h"
#include "libs/rpc/event_publisher.h"
#include "libs/rpc/event_server.h"

using namespace fluxcpp::rpc;

namespace {
EventMessage SampleEvent() {
  EventMessage e;
  e.involved_object = {"GitRepository", "flux-system", "podinfo", "uid-1", "source.toolkit.fluxcd.io/v1", "7"};
  e.severity = "info";
  e.timestamp = "2024-01-01T00:00:00Z";
  e.message = "stored artifact for commit 'init'";
  e.reason = "NewArtifact";
  e.metadata = {{"revision", "main@sha1:abc"}};
  e.reporting_controller = "source-controller";
  return e;
}

template <typename Pred>
bool WaitFor(Pred pred, int ms = 5000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}
}  // namespace

TEST_CASE("event JSON round trip and validation") {
  EventMessage e = SampleEvent();
  auto back = EventFromJson(EventToJson(e));
  REQUIRE(back.ok());
  CHECK(back->involved_object.name == "podinfo");
  CHECK(back->metadata.at("revision") == "main@sha1:abc");
  CHECK(back->reason == "NewArtifact");
  auto bad = EventFromJson(R"({"involvedObject":{"kind":"GitRepository","name":"x"},"severity":"info","message":"m"})");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()).find("reason") != std::string::npos);
}

TEST_CASE("events travel over gRPC") {
  std::mutex mu;
  std::vector<EventMessage> got;
  auto server = EventServer::Start("127.0.0.1:0", [&](const EventMessage& e) {
    std::lock_guard<std::mutex> lock(mu);
    got.push_back(e);
    return absl::OkStatus();
  });
  REQUIRE(server.ok());
  auto publisher = EventPublisher::Create("grpc://127.0.0.1:" + std::to_string((*server)->port()));
  REQUIRE(publisher.ok());
  (*publisher)->Publish(SampleEvent());
  (*publisher)->Flush(5000);
  std::lock_guard<std::mutex> lock(mu);
  REQUIRE(got.size() == 1);
  CHECK(got[0].involved_object.kind == "GitRepository");
  CHECK(got[0].metadata.at("revision") == "main@sha1:abc");
}

TEST_CASE("events travel over HTTP JSON") {
  httplib::Server http;
  std::mutex mu;
  std::string body;
  http.Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    body = req.body;
    res.status = 202;
  });
  int port = http.bind_to_any_port("127.0.0.1");
  std::thread t([&] { http.listen_after_bind(); });
  auto publisher = EventPublisher::Create("http://127.0.0.1:" + std::to_string(port) + "/");
  REQUIRE(publisher.ok());
  (*publisher)->Publish(SampleEvent());
  (*publisher)->Flush(5000);
  http.stop();
  t.join();
  auto parsed = EventFromJson(body);
  REQUIRE(parsed.ok());
  CHECK(parsed->reason == "NewArtifact");
  CHECK_FALSE(EventPublisher::Create("tcp://x").ok());
}

TEST_CASE("artifact notices reach watchers, including ones that connect late") {
  auto hub = ArtifactHub::Start("127.0.0.1:0");
  REQUIRE(hub.ok());
  std::string target = "127.0.0.1:" + std::to_string((*hub)->port());
  SourceRef src{"GitRepository", "flux-system", "podinfo"};
  ArtifactInfo a1;
  a1.revision = "main@sha1:1";
  a1.digest = "sha256:1";
  (*hub)->Publish(src, a1);

  std::mutex mu;
  std::vector<std::string> revisions;
  auto watcher = ArtifactWatcher::Start(target, {"GitRepository"}, [&](const SourceRef& s, const ArtifactInfo& a) {
    std::lock_guard<std::mutex> lock(mu);
    revisions.push_back(s.name + "@" + a.revision);
  });
  REQUIRE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(mu);
    return revisions.size() == 1;
  }));
  ArtifactInfo a2 = a1;
  a2.revision = "main@sha1:2";
  (*hub)->Publish(src, a2);
  (*hub)->Publish(src, a2);  // unchanged: no second notice
  (*hub)->Publish({"OCIRepository", "x", "y"}, a2);  // filtered by kind
  REQUIRE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(mu);
    return revisions.size() == 2;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK(revisions == std::vector<std::string>{"podinfo@main@sha1:1", "podinfo@main@sha1:2"});
  }
  auto got = watcher->Get(src);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->revision == "main@sha1:2");
  auto missing = watcher->Get({"GitRepository", "x", "none"});
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
  watcher->Stop();
  (*hub)->Shutdown();
}
