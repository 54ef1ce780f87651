#include "libs/runtime/controller.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include <catch2/catch.hpp>

#include "libs/runtime/testing/fake_client.h"
#include "libs/runtime/testing/wait.h"

namespace fluxcpp::runtime {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;

const kube::GroupVersionKind kKs{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
const kube::GroupVersionKind kGitRepo{"source.toolkit.fluxcd.io", "v1", "GitRepository"};

object::Value Ks(const std::string& ns, const std::string& name, const std::string& path = "./") {
  return {{"apiVersion", "kustomize.toolkit.fluxcd.io/v1"},
          {"kind", "Kustomization"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"path", path}, {"interval", "5m"}, {"sourceRef", {{"kind", "GitRepository"}, {"name", "repo"}}}}}};
}

// Counts reconciles per key and detects concurrent runs of one key.
class RecordingReconciler : public Reconciler {
 public:
  std::function<Result(const Request&, ReconcileContext&)> body;
  Duration work = 0ms;

  Result Reconcile(const Request& req, ReconcileContext& ctx) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!running_.insert(req.Key()).second) ++overlaps_;
      ++counts_[req.Key()];
      max_parallel_ = std::max<int>(max_parallel_, static_cast<int>(running_.size()));
      last_id_ = ctx.reconcile_id();
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
  int max_parallel() {
    std::lock_guard<std::mutex> l(mu_);
    return max_parallel_;
  }
  std::string last_id() {
    std::lock_guard<std::mutex> l(mu_);
    return last_id_;
  }

 private:
  std::mutex mu_;
  std::set<std::string> running_;
  std::map<std::string, int> counts_;
  int overlaps_ = 0;
  int max_parallel_ = 0;
  std::string last_id_;
};

ControllerOptions Options(ControllerMetrics* metrics = nullptr) {
  ControllerOptions o;
  o.name = "kustomization";
  o.gvk = kKs;
  o.concurrent = 4;
  o.min_retry_delay = 20ms;
  o.max_retry_delay = 2s;
  o.metrics = metrics;
  return o;
}

TEST_CASE("A burst of updates to one object is reconciled a few times, never concurrently", "[controller]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Ks("default", "app")).ok());
  auto rec = std::make_unique<RecordingReconciler>();
  rec->work = 5ms;
  auto* r = rec.get();
  Controller c(client, Options(), std::move(rec));
  REQUIRE(c.Start().ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") == 1; }));

  for (int i = 0; i < 200; ++i) {
    object::Value patch = {{"spec", {{"path", "./p" + std::to_string(i)}}}};
    REQUIRE(client.Patch(kKs, "default", "app", kube::PatchType::kMerge, patch).ok());
  }
  // Let the queue settle.
  REQUIRE(WaitFor([&] { return c.queue().Len() == 0 && c.queue().NumProcessing() == 0; }));
  std::this_thread::sleep_for(50ms);
  REQUIRE(WaitFor([&] { return c.queue().Len() == 0 && c.queue().NumProcessing() == 0; }));
  int n = r->count("default/app");
  INFO("reconciles: " << n);
  REQUIRE(n >= 2);
  REQUIRE(n < 60);  // de-duplicated, far fewer than 200
  REQUIRE(r->overlaps() == 0);
  REQUIRE(r->max_parallel() == 1);
  c.Stop();
}

TEST_CASE("An erroring key backs off while others proceed", "[controller]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Ks("default", "bad")).ok());
  auto rec = std::make_unique<RecordingReconciler>();
  rec->body = [](const Request& req, ReconcileContext&) {
    return req.name == "bad" ? Result::Error(absl::InternalError("kustomize build failed")) : Result::Done();
  };
  auto* r = rec.get();
  MetricsRegistry registry;
  ControllerMetrics metrics(registry);
  Controller c(client, Options(&metrics), std::move(rec));
  REQUIRE(c.Start().ok());
  REQUIRE(WaitFor([&] { return r->count("default/bad") >= 2; }));
  for (int i = 0; i < 10; ++i) REQUIRE(client.Create(Ks("default", "good" + std::to_string(i))).ok());
  for (int i = 0; i < 10; ++i) {
    REQUIRE(WaitFor([&] { return r->count("default/good" + std::to_string(i)) == 1; }, 2000ms));
  }
  std::this_thread::sleep_for(600ms);
  // Backoff 20, 40, 80, 160, 320 ms...: only a handful of attempts in ~0.7s.
  int bad = r->count("default/bad");
  INFO("bad attempts: " << bad);
  REQUIRE(bad >= 4);
  REQUIRE(bad <= 8);
  REQUIRE(c.queue().NumRequeues("default/bad") == bad);
  for (int i = 0; i < 10; ++i) REQUIRE(r->count("default/good" + std::to_string(i)) == 1);
  std::string text = registry.Expose();
  REQUIRE(text.find("controller_runtime_reconcile_total{controller=\"kustomization\",result=\"success\"} 10\n") !=
          std::string::npos);
  REQUIRE(text.find("controller_runtime_reconcile_errors_total{controller=\"kustomization\"} ") != std::string::npos);
  REQUIRE(text.find("gotk_reconcile_duration_seconds_count{kind=\"Kustomization\",name=\"good0\",namespace="
                    "\"default\"} 1\n") != std::string::npos);
  c.Stop();
}

TEST_CASE("Status-only and label-only updates do not trigger reconciles", "[controller]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Ks("default", "app")).ok());
  auto rec = std::make_unique<RecordingReconciler>();
  auto* r = rec.get();
  Controller c(client, Options(), std::move(rec));
  REQUIRE(c.Start().ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") == 1; }));
  for (int i = 0; i < 20; ++i) {
    object::Value patch = {{"status", {{"observedGeneration", i}}}};
    REQUIRE(client.Patch(kKs, "default", "app", kube::PatchType::kMerge, patch, {}, "status").ok());
  }
  REQUIRE(client.Patch(kKs, "default", "app", kube::PatchType::kMerge,
                       {{"metadata", {{"labels", {{"team", "a"}}}}}})
              .ok());
  std::this_thread::sleep_for(150ms);
  REQUIRE(r->count("default/app") == 1);

  // reconcile.fluxcd.io/requestedAt does trigger, once per new value.
  object::Value req = {{"metadata", {{"annotations", {{"reconcile.fluxcd.io/requestedAt", "t1"}}}}}};
  REQUIRE(client.Patch(kKs, "default", "app", kube::PatchType::kMerge, req).ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") == 2; }));
  REQUIRE(client.Patch(kKs, "default", "app", kube::PatchType::kMerge, req).ok());  // same value: no event
  // Deletion with a finalizer (deletionTimestamp appears) triggers.
  REQUIRE(client.Patch(kKs, "default", "app", kube::PatchType::kMerge,
                       {{"metadata", {{"finalizers", {"finalizers.fluxcd.io"}}}}})
              .ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") == 3; }));
  REQUIRE(client.Delete(kKs, "default", "app").ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") == 4; }));
  std::this_thread::sleep_for(50ms);
  REQUIRE(r->count("default/app") == 4);
  c.Stop();
}

TEST_CASE("requeue_after re-runs the key after the (jittered) interval", "[controller]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Ks("default", "app")).ok());
  auto rec = std::make_unique<RecordingReconciler>();
  rec->body = [](const Request&, ReconcileContext&) { return Result::RequeueAfter(100ms); };
  auto* r = rec.get();
  Controller c(client, Options(), std::move(rec));
  auto start = std::chrono::steady_clock::now();
  REQUIRE(c.Start().ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") >= 3; }));
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(elapsed >= 180ms);  // two intervals of 100ms ± 5%
  REQUIRE(c.queue().NumRequeues("default/app") == 0);
  c.Stop();
}

TEST_CASE("Secondary watches and external triggers enqueue primary requests", "[controller]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Ks("default", "app")).ok());
  auto rec = std::make_unique<RecordingReconciler>();
  auto* r = rec.get();
  Controller c(client, Options(), std::move(rec));
  // GitRepository default/repo → every Kustomization in the cache referencing it.
  c.Watch(kGitRepo, [&c](const object::Value& repo) {
    std::vector<Request> out;
    for (const ObjectPtr& ks : c.informer().List()) {
      if (object::GetString(*ks, {"spec", "sourceRef", "name"}) == NameOf(repo)) {
        out.push_back({NamespaceOf(*ks), NameOf(*ks)});
      }
    }
    return out;
  });
  REQUIRE(c.Start().ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") == 1; }));
  object::Value repo = {{"apiVersion", "source.toolkit.fluxcd.io/v1"},
                        {"kind", "GitRepository"},
                        {"metadata", {{"name", "repo"}, {"namespace", "default"}}},
                        {"spec", {{"url", "https://x"}}}};
  REQUIRE(client.Create(repo).ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") == 2; }));
  REQUIRE(client.Patch(kGitRepo, "default", "repo", kube::PatchType::kMerge,
                       {{"status", {{"artifact", {{"revision", "main@sha1:abc"}}}}}}, {}, "status")
              .ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") == 3; }));

  c.Enqueue({"default", "app"});
  REQUIRE(WaitFor([&] { return r->count("default/app") == 4; }));
  REQUIRE(r->last_id().size() == 36);
  c.Stop();
}

TEST_CASE("Stop drains in-flight reconciles, then cancels past the grace", "[controller]") {
  SECTION("in-flight work finishes within the grace") {
    testing::FakeClient client;
    REQUIRE(client.Create(Ks("default", "app")).ok());
    auto rec = std::make_unique<RecordingReconciler>();
    std::atomic<bool> finished{false};
    rec->body = [&](const Request&, ReconcileContext&) {
      std::this_thread::sleep_for(150ms);
      finished = true;
      return Result::Done();
    };
    auto* r = rec.get();
    Controller c(client, Options(), std::move(rec));
    REQUIRE(c.Start().ok());
    REQUIRE(WaitFor([&] { return r->count("default/app") == 1; }));
    c.Stop(5s);
    REQUIRE(finished);
  }
  SECTION("a reconcile outliving the grace sees its stop token") {
    testing::FakeClient client;
    REQUIRE(client.Create(Ks("default", "app")).ok());
    auto rec = std::make_unique<RecordingReconciler>();
    std::atomic<bool> saw_cancel{false};
    rec->body = [&](const Request&, ReconcileContext& ctx) {
      while (!ctx.cancelled()) std::this_thread::sleep_for(1ms);
      saw_cancel = ctx.stop_requested();
      return Result::Done();
    };
    auto* r = rec.get();
    Controller c(client, Options(), std::move(rec));
    REQUIRE(c.Start().ok());
    REQUIRE(WaitFor([&] { return r->count("default/app") == 1; }));
    auto start = std::chrono::steady_clock::now();
    c.Stop(50ms);
    REQUIRE(saw_cancel);
    REQUIRE(std::chrono::steady_clock::now() - start < 2s);
  }
}

TEST_CASE("Reconcile context carries a deadline", "[controller]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Ks("default", "app")).ok());
  auto rec = std::make_unique<RecordingReconciler>();
  std::atomic<bool> deadline_ok{false};
  rec->body = [&](const Request& req, ReconcileContext& ctx) {
    bool ok = ctx.remaining() > 0ms && ctx.remaining() <= 10s && !ctx.cancelled() && ctx.request() == req;
    ctx.NarrowDeadline(1ms);
    std::this_thread::sleep_for(5ms);
    deadline_ok = ok && ctx.deadline_exceeded() && ctx.cancelled() && !ctx.stop_requested();
    return Result::Done();
  };
  auto* r = rec.get();
  auto opts = Options();
  opts.reconcile_timeout = 10s;
  Controller c(client, opts, std::move(rec));
  REQUIRE(c.Start().ok());
  REQUIRE(WaitFor([&] { return r->count("default/app") == 1; }));
  REQUIRE(WaitFor([&] { return deadline_ok.load(); }));
  c.Stop();
}

}  // namespace
}  // namespace fluxcpp::runtime
