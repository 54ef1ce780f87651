// The runtime against a real dev-apiserver process (skipped while the binary
// is not built): informer, controller, status patcher, finalizers, events.
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include <catch2/catch.hpp>

#include <cstdlib>

#include "libs/kube/testing/dev_apiserver.h"
#include "libs/runtime/conditions.h"
#include "libs/runtime/controller.h"
#include "libs/runtime/events.h"
#include "libs/runtime/finalizers.h"
#include "libs/runtime/informer.h"
#include "libs/runtime/status_patcher.h"
#include "libs/runtime/testing/wait.h"

namespace fluxcpp::runtime {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;
using kube::testing::DevApiServer;

const kube::GroupVersionKind kWidget{"test.fluxcpp.io", "v1", "Widget"};

#define SKIP_WITHOUT_DEV_APISERVER()                                                           \
  if (!DevApiServer::Available()) {                                                            \
    if (std::getenv("CI") != nullptr) FAIL("dev-apiserver is required under CI");               \
    WARN("dev-apiserver not built at " << DevApiServer::BinaryPath() << "; skipping");        \
    return;                                                                                    \
  }

// Starts a server with a Widget CRD (status subresource) and a "test" namespace.
std::unique_ptr<DevApiServer> StartServer() {
  auto server = DevApiServer::Start();
  REQUIRE(server.ok());
  kube::Client& c = (*server)->client();
  object::Value crd = {
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", {{"name", "widgets.test.fluxcpp.io"}}},
      {"spec",
       {{"group", "test.fluxcpp.io"},
        {"names", {{"kind", "Widget"}, {"plural", "widgets"}, {"singular", "widget"}, {"listKind", "WidgetList"}}},
        {"scope", "Namespaced"},
        {"versions",
         {{{"name", "v1"},
           {"served", true},
           {"storage", true},
           {"subresources", {{"status", object::Value::object()}}},
           {"schema",
            {{"openAPIV3Schema", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}}};
  auto created = c.Create(crd);
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  REQUIRE(WaitFor([&] { return c.Mapping(kWidget).ok(); }, 10000ms));
  object::Value ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "test"}}}};
  auto ns_created = c.Create(ns);
  REQUIRE((ns_created.ok() || absl::IsAlreadyExists(ns_created.status())));
  return std::move(*server);
}

object::Value Widget(const std::string& name) {
  return {{"apiVersion", "test.fluxcpp.io/v1"},
          {"kind", "Widget"},
          {"metadata", {{"name", name}, {"namespace", "test"}}},
          {"spec", {{"size", 0}}}};
}

class RecordingReconciler : public Reconciler {
 public:
  std::function<Result(const Request&, ReconcileContext&)> body;
  Duration work = 0ms;

  Result Reconcile(const Request& req, ReconcileContext& ctx) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!running_.insert(req.Key()).second) ++overlaps_;
      ++counts_[req.Key()];
    }
    if (work > 0ms) std::this_thread::sleep_for(work);
    Result r = body ? body(req, ctx) : Result::Done();
    std::lock_guard<std::mutex> l(mu_);
    running_.erase(req.Key());
    return r;
  }
  int count(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    return counts_[key];
  }
  int overlaps() {
    std::lock_guard<std::mutex> l(mu_);
    return overlaps_;
  }

 private:
  std::mutex mu_;
  std::set<std::string> running_;
  std::map<std::string, int> counts_;
  int overlaps_ = 0;
};

ControllerOptions WidgetController() {
  ControllerOptions o;
  o.name = "widget";
  o.gvk = kWidget;
  o.ns = "test";
  o.concurrent = 4;
  o.min_retry_delay = 20ms;
  o.max_retry_delay = 2s;
  return o;
}

TEST_CASE("dev-apiserver: informer follows list and watch, across a server restart", "[integration]") {
  SKIP_WITHOUT_DEV_APISERVER();
  auto server = StartServer();
  kube::Client& c = server->client();
  REQUIRE(c.Create(Widget("a")).ok());
  InformerOptions io;
  io.gvk = kWidget;
  io.min_backoff = 20ms;
  io.max_backoff = 200ms;
  // The informer gets a client of its own: the harness may replace its
  // shared client on Restart().
  auto informer_client = server->NewClient();
  REQUIRE(informer_client.ok());
  Informer informer(**informer_client, io);
  std::atomic<int> deletes{0};
  informer.AddHandlers({.on_delete = [&](const ObjectPtr&) { ++deletes; }});
  informer.Start();
  REQUIRE(informer.WaitForSync(10s));
  REQUIRE(informer.Get("test/a") != nullptr);
  REQUIRE(object::Find(*informer.Get("test/a"), {"metadata", "managedFields"}) == nullptr);

  REQUIRE(c.Create(Widget("b")).ok());
  REQUIRE(WaitFor([&] { return informer.Get("test/b") != nullptr; }));
  REQUIRE(c.Patch(kWidget, "test", "b", kube::PatchType::kMerge, {{"spec", {{"size", 3}}}}).ok());
  REQUIRE(WaitFor([&] { return object::GetInt(*informer.Get("test/b"), {"spec", "size"}) == 3; }));
  REQUIRE(c.Delete(kWidget, "test", "b").ok());
  REQUIRE(WaitFor([&] { return deletes.load() == 1; }));

  const std::string token = server->config().bearer_token;
  REQUIRE(server->Restart().ok());
  if (server->config().bearer_token != token) {
    WARN("dev-apiserver rotated its credentials on restart; resume check skipped");
    informer.Stop();
    return;
  }
  REQUIRE(server->client().Create(Widget("c")).ok());
  REQUIRE(WaitFor([&] { return informer.Get("test/c") != nullptr; }, 20000ms));
  REQUIRE(informer.Get("test/a") != nullptr);
  informer.Stop();
}

TEST_CASE("dev-apiserver: 1000 updates to one object are reconciled a few times, never concurrently",
          "[integration]") {
  SKIP_WITHOUT_DEV_APISERVER();
  auto server = StartServer();
  kube::Client& c = server->client();
  REQUIRE(c.Create(Widget("hot")).ok());
  auto rec = std::make_unique<RecordingReconciler>();
  rec->work = 100ms;
  auto* r = rec.get();
  Controller ctl(c, WidgetController(), std::move(rec));
  REQUIRE(ctl.Start().ok());
  REQUIRE(WaitFor([&] { return r->count("test/hot") == 1; }));
  // A burst: 8 writers, 125 updates each; the last one sets size 1000.
  std::atomic<int> failures{0};
  auto burst_start = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 1; i <= 125; ++i) {
        int size = w * 125 + i;
        if (size == 1000) continue;
        if (!c.Patch(kWidget, "test", "hot", kube::PatchType::kMerge, {{"spec", {{"size", size}}}}).ok()) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  REQUIRE(failures == 0);
  REQUIRE(c.Patch(kWidget, "test", "hot", kube::PatchType::kMerge, {{"spec", {{"size", 1000}}}}).ok());
  REQUIRE(WaitFor([&] { return object::GetInt(*ctl.informer().Get("test/hot"), {"spec", "size"}) == 1000; },
                  std::chrono::milliseconds(20000)));
  REQUIRE(WaitFor([&] { return ctl.queue().Len() == 0 && ctl.queue().NumProcessing() == 0; }));
  std::this_thread::sleep_for(100ms);
  int n = r->count("test/hot");
  INFO("reconciles: " << n);
  // Updates that arrive while a reconcile runs collapse into one more
  // reconcile: at most one per `work` of elapsed time, far fewer than updates.
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - burst_start).count();
  INFO("burst and drain took " << elapsed << "s");
  REQUIRE(n >= 2);
  REQUIRE(n <= static_cast<int>(elapsed / 0.1) + 2);
  REQUIRE(n < 500);
  REQUIRE(r->overlaps() == 0);
  ctl.Stop();
}

TEST_CASE("dev-apiserver: an erroring key backs off while others proceed", "[integration]") {
  SKIP_WITHOUT_DEV_APISERVER();
  auto server = StartServer();
  kube::Client& c = server->client();
  REQUIRE(c.Create(Widget("bad")).ok());
  auto rec = std::make_unique<RecordingReconciler>();
  rec->body = [](const Request& req, ReconcileContext&) {
    return req.name == "bad" ? Result::Error(absl::UnavailableError("boom")) : Result::Done();
  };
  auto* r = rec.get();
  Controller ctl(c, WidgetController(), std::move(rec));
  REQUIRE(ctl.Start().ok());
  REQUIRE(WaitFor([&] { return r->count("test/bad") >= 2; }));
  for (int i = 0; i < 5; ++i) REQUIRE(c.Create(Widget("good" + std::to_string(i))).ok());
  for (int i = 0; i < 5; ++i) REQUIRE(WaitFor([&] { return r->count("test/good" + std::to_string(i)) == 1; }));
  std::this_thread::sleep_for(500ms);
  int bad = r->count("test/bad");
  INFO("bad attempts: " << bad);
  REQUIRE(bad >= 4);
  REQUIRE(bad <= 9);
  for (int i = 0; i < 5; ++i) REQUIRE(r->count("test/good" + std::to_string(i)) == 1);
  ctl.Stop();
}

TEST_CASE("dev-apiserver: status-only updates do not trigger reconciles", "[integration]") {
  SKIP_WITHOUT_DEV_APISERVER();
  auto server = StartServer();
  kube::Client& c = server->client();
  REQUIRE(c.Create(Widget("w")).ok());
  auto rec = std::make_unique<RecordingReconciler>();
  auto* r = rec.get();
  Controller ctl(c, WidgetController(), std::move(rec));
  REQUIRE(ctl.Start().ok());
  REQUIRE(WaitFor([&] { return r->count("test/w") == 1; }));
  for (int i = 0; i < 10; ++i) {
    REQUIRE(c.Patch(kWidget, "test", "w", kube::PatchType::kMerge, {{"status", {{"observedGeneration", i}}}}, {},
                    "status")
                .ok());
  }
  REQUIRE(WaitFor([&] {
    return object::GetInt(*ctl.informer().Get("test/w"), {"status", "observedGeneration"}) == 9;
  }));
  std::this_thread::sleep_for(100ms);
  REQUIRE(r->count("test/w") == 1);
  REQUIRE(c.Patch(kWidget, "test", "w", kube::PatchType::kMerge,
                  {{"metadata", {{"annotations", {{"reconcile.fluxcd.io/requestedAt", "now"}}}}}})
              .ok());
  REQUIRE(WaitFor([&] { return r->count("test/w") == 2; }));
  ctl.Stop();
}

TEST_CASE("dev-apiserver: status patcher, finalizers and events", "[integration]") {
  SKIP_WITHOUT_DEV_APISERVER();
  auto server = StartServer();
  kube::Client& c = server->client();
  auto created = c.Create(Widget("p"));
  REQUIRE(created.ok());
  object::Value obj = *created;

  // Finalizer first, as every Flux reconciler does.
  REQUIRE(AddFinalizer(c, obj).ok());
  REQUIRE(HasFinalizer(*c.Get(kWidget, "test", "p"), kFluxFinalizer));

  StatusPatcher patcher(c, obj);
  conditions::MarkReconciling(obj, kProgressingReason, "reconciliation in progress");
  REQUIRE(patcher.PatchNow(obj).ok());
  // A spec edit lands mid-reconcile: the final patch conflicts and is rebased.
  REQUIRE(c.Patch(kWidget, "test", "p", kube::PatchType::kMerge, {{"spec", {{"size", 7}}}}).ok());
  conditions::Remove(obj, kReconcilingCondition);
  conditions::MarkTrue(obj, kReadyCondition, kSucceededReason, "done");
  REQUIRE(patcher.Patch(obj, {.set_observed_generation = true}).ok());
  auto stored = c.Get(kWidget, "test", "p");
  REQUIRE(stored.ok());
  REQUIRE(conditions::IsTrue(*stored, kReadyCondition));
  REQUIRE_FALSE(conditions::Has(*stored, kReconcilingCondition));
  REQUIRE(object::GetInt(*stored, {"status", "observedGeneration"}) == 1);  // the generation we reconciled
  REQUIRE(object::GetInt(*stored, {"metadata", "generation"}) == 2);       // not the newer spec
  REQUIRE(object::GetInt(*stored, {"spec", "size"}) == 7);
  // Nothing changed: no write (resourceVersion unchanged).
  std::string rv = object::GetString(*stored, {"metadata", "resourceVersion"});
  REQUIRE(patcher.Patch(obj, {.set_observed_generation = true}).ok());
  REQUIRE(object::GetString(*c.Get(kWidget, "test", "p"), {"metadata", "resourceVersion"}) == rv);

  // Events, aggregated.
  {
    std::vector<FluxEvent> forwarded;
    std::mutex mu;
    EventRecorder recorder(c, {.controller_name = "widget-controller",
                               .sink = [&](const FluxEvent& e) {
                                 std::lock_guard<std::mutex> l(mu);
                                 forwarded.push_back(e);
                               }});
    recorder.Warning(*stored, "Failed", "it broke");
    recorder.Warning(*stored, "Failed", "it broke");
    REQUIRE(recorder.Flush());
    auto events = c.List({"", "v1", "Event"}, "test");
    REQUIRE(events.ok());
    REQUIRE((*events)["items"].size() == 1);
    REQUIRE(object::GetInt((*events)["items"][0], {"count"}) == 2);
    REQUIRE(object::GetString((*events)["items"][0], {"type"}) == "Warning");
    REQUIRE(forwarded.size() == 1);  // the identical second one is rate limited (forward_dedup_window)
  }

  // Deletion waits for the finalizer.
  REQUIRE(c.Delete(kWidget, "test", "p").ok());
  obj = *c.Get(kWidget, "test", "p");
  REQUIRE(object::Find(obj, {"metadata", "deletionTimestamp"}) != nullptr);
  REQUIRE(RemoveFinalizer(c, obj).ok());
  REQUIRE(WaitFor([&] { return absl::IsNotFound(c.Get(kWidget, "test", "p").status()); }));
}

}  // namespace
}  // namespace fluxcpp::runtime
