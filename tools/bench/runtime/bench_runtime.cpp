// bench-runtime: the controller framework's three budgets (issue #4).
//
//   bench-runtime informer-memory [--objects 10000]
//       Heap held by an Informer's cache of N Kustomization-shaped objects
//       (malloc'd bytes after sync minus before, glibc mallinfo2), against
//       the objects' compact JSON size as the API server serves them
//       (managedFields included) and without managedFields. Target: <= 1.5x.
//   bench-runtime dispatch [--items 200000]
//       Per-item cost of queue -> worker -> Reconcile (no-op) -> Done with
//       metrics on, one worker: wall time / items. Target: <= 20 us.
//   bench-runtime idle --dev-apiserver PATH [--seconds 5] [--child PATH]
//       Starts dev-apiserver, then bench-runtime-idle (idle_main.cpp, found
//       beside this binary): a Manager with one ConfigMap controller,
//       metrics and health servers, leader election on, doing nothing. It
//       links only flux_runtime, not the test fakes (cpp-httplib) this
//       binary needs. Reports the child's VmRSS after `seconds` and its
//       VmHWM. Target: <= 10 MiB.
//
// Numbers are printed as "name value unit target"; run.sh formats them.

#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "libs/core/flags.h"
#include "libs/kube/testing/dev_apiserver.h"
#include "libs/runtime/controller.h"
#include "libs/runtime/controller_metrics.h"
#include "libs/runtime/informer.h"
#include "libs/runtime/manager.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/testing/fake_client.h"

extern char** environ;

namespace {

using namespace fluxcpp;
using Clock = std::chrono::steady_clock;

const kube::GroupVersionKind kKustomization{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
const kube::GroupVersionKind kConfigMap{"", "v1", "ConfigMap"};

// Field (in kB) from /proc/<pid>/status, e.g. "VmRSS".
long ProcStatusKb(pid_t pid, const std::string& field, const std::string& file = "status") {
  std::ifstream in(pid == 0 ? "/proc/self/" + file : absl::StrCat("/proc/", pid, "/", file));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

size_t HeapInUse() {
  malloc_trim(0);
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// A Kustomization as the API server returns it after a few reconciles.
object::Value MakeKustomization(int i) {
  std::string name = absl::StrCat("app-", i);
  std::string ns = absl::StrCat("team-", i % 50);
  std::string rev = absl::StrCat("main@sha1:", std::string(40 - std::to_string(i).size(), 'a'), i);
  object::Value cond = {{"lastTransitionTime", "2024-05-01T10:00:00Z"},
                        {"message", absl::StrCat("Applied revision: ", rev)},
                        {"observedGeneration", 3},
                        {"reason", "ReconciliationSucceeded"},
                        {"status", "True"},
                        {"type", "Ready"}};
  object::Value managed = object::Value::array();
  managed.push_back({{"apiVersion", "kustomize.toolkit.fluxcd.io/v1"},
                     {"fieldsType", "FieldsV1"},
                     {"fieldsV1",
                      {{"f:metadata", {{"f:labels", {{".", object::Value::object()}, {"f:app", object::Value::object()}}}}},
                       {"f:spec",
                        {{".", object::Value::object()},
                         {"f:interval", object::Value::object()},
                         {"f:path", object::Value::object()},
                         {"f:prune", object::Value::object()},
                         {"f:sourceRef", {{".", object::Value::object()}, {"f:kind", object::Value::object()},
                                          {"f:name", object::Value::object()}}}}}}},
                     {"manager", "flux"},
                     {"operation", "Apply"},
                     {"time", "2024-05-01T10:00:00Z"}});
  managed.push_back({{"apiVersion", "kustomize.toolkit.fluxcd.io/v1"},
                     {"fieldsType", "FieldsV1"},
                     {"fieldsV1", {{"f:status", {{"f:conditions", object::Value::object()},
                                                 {"f:inventory", object::Value::object()},
                                                 {"f:lastAppliedRevision", object::Value::object()},
                                                 {"f:observedGeneration", object::Value::object()}}}}},
                     {"manager", "kustomize-controller"},
                     {"operation", "Update"},
                     {"subresource", "status"},
                     {"time", "2024-05-01T10:00:00Z"}});
  return {{"apiVersion", "kustomize.toolkit.fluxcd.io/v1"},
          {"kind", "Kustomization"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"uid", absl::StrCat("6c1f8a52-0d6e-4f1b-9a7e-", 100000000000 + i)},
            {"resourceVersion", std::to_string(1000 + i)},
            {"generation", 3},
            {"creationTimestamp", "2024-05-01T09:00:00Z"},
            {"labels", {{"app", name}, {"kustomize.toolkit.fluxcd.io/name", "flux-system"}}},
            {"finalizers", {"finalizers.fluxcd.io"}},
            {"managedFields", managed}}},
          {"spec",
           {{"interval", "10m"},
            {"path", absl::StrCat("./apps/", name)},
            {"prune", true},
            {"sourceRef", {{"kind", "GitRepository"}, {"name", "flux-system"}, {"namespace", "flux-system"}}},
            {"timeout", "5m"}}},
          {"status",
           {{"conditions", {cond}},
            {"inventory",
             {{"entries",
               {{{"id", absl::StrCat(ns, "_", name, "_apps_Deployment")}, {"v", "v1"}},
                {{"id", absl::StrCat(ns, "_", name, "__Service")}, {"v", "v1"}}}}}},
            {"lastAppliedRevision", rev},
            {"lastAttemptedRevision", rev},
            {"observedGeneration", 3}}}};
}

int InformerMemory(int n) {
  runtime::testing::FakeClient client;
  size_t json_bytes = 0, json_bytes_slim = 0;
  for (int i = 0; i < n; ++i) {
    object::Value obj = MakeKustomization(i);
    auto created = client.Create(obj);
    if (!created.ok()) {
      std::fprintf(stderr, "create: %s\n", std::string(created.status().message()).c_str());
      return 1;
    }
    json_bytes += object::ToJson(*created).size();
    object::Value slim = *created;
    object::Erase(slim, {"metadata", "managedFields"});
    json_bytes_slim += object::ToJson(slim).size();
  }
  long rss_before = ProcStatusKb(0, "VmRSS");
  size_t heap_before = HeapInUse();
  runtime::InformerOptions io;
  io.gvk = kKustomization;
  auto informer = std::make_unique<runtime::Informer>(client, io);
  informer->Start();
  if (!informer->WaitForSync(std::chrono::minutes(2)) || informer->Size() != static_cast<size_t>(n)) {
    std::fprintf(stderr, "informer did not sync\n");
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  size_t heap_after = HeapInUse();
  long rss_after = ProcStatusKb(0, "VmRSS");
  double cache = static_cast<double>(heap_after - heap_before);
  std::printf("informer_objects %d count\n", n);
  std::printf("informer_json_bytes %zu bytes (as served, with managedFields; %zu without)\n", json_bytes,
              json_bytes_slim);
  std::printf("informer_cache_heap_bytes %.0f bytes (rss delta %ld KiB)\n", cache, rss_after - rss_before);
  std::printf("informer_memory_ratio %.2f x_json_as_served target<=1.5\n", cache / json_bytes);
  std::printf("informer_memory_ratio_vs_slim_json %.2f x_json_without_managedFields\n", cache / json_bytes_slim);
  informer->Stop();
  return 0;
}

class NoopReconciler : public runtime::Reconciler {
 public:
  explicit NoopReconciler(std::atomic<int>& done) : done_(done) {}
  runtime::Result Reconcile(const runtime::Request&, runtime::ReconcileContext&) override {
    done_.fetch_add(1, std::memory_order_relaxed);
    return runtime::Result::Done();
  }

 private:
  std::atomic<int>& done_;
};

int Dispatch(int items, int concurrent) {
  runtime::testing::FakeClient client;
  runtime::MetricsRegistry registry;
  runtime::ControllerMetrics metrics(registry);
  std::atomic<int> done{0};
  runtime::ControllerOptions o;
  o.name = "configmap";
  o.gvk = kConfigMap;
  o.concurrent = concurrent;
  o.metrics = &metrics;
  runtime::Controller controller(client, o, std::make_unique<NoopReconciler>(done));
  if (auto s = controller.Start(); !s.ok()) return 1;
  // Warm-up.
  for (int i = 0; i < 1000; ++i) controller.Enqueue({"default", absl::StrCat("warm-", i)});
  while (done.load() < 1000) std::this_thread::sleep_for(std::chrono::microseconds(100));
  done.store(0);
  std::vector<runtime::Request> reqs;
  reqs.reserve(items);
  for (int i = 0; i < items; ++i) reqs.push_back({"default", absl::StrCat("cm-", i)});
  auto start = Clock::now();
  for (const auto& r : reqs) controller.Enqueue(r);
  while (done.load() < items) std::this_thread::sleep_for(std::chrono::microseconds(50));
  double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  controller.Stop();
  std::printf("dispatch_items %d count (workers %d)\n", items, concurrent);
  std::printf("dispatch_overhead_per_item %.2f us target<=20\n", us / items);
  return 0;
}

// A port free on 127.0.0.1 right now.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

int Idle(const std::string& apiserver, int seconds, const std::string& child) {
  if (access(child.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "%s not found (build the bench-runtime-idle target)\n", child.c_str());
    return 1;
  }
  kube::testing::DevApiServer::Options so;
  so.binary = apiserver;
  auto server = kube::testing::DevApiServer::Start(so);
  if (!server.ok()) {
    std::fprintf(stderr, "dev-apiserver: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  const int metrics_port = FreePort();
  const int health_port = FreePort();
  std::vector<std::string> args = {child,
                                   "--kubeconfig=" + (*server)->kubeconfig_path(),
                                   absl::StrCat("--metrics-addr=127.0.0.1:", metrics_port),
                                   absl::StrCat("--health-addr=127.0.0.1:", health_port),
                                   "--enable-leader-election",
                                   "--leader-election-namespace=default",
                                   "--log-level=error"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, child.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return 1;
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  long rss = ProcStatusKb(pid, "VmRSS");
  long hwm = ProcStatusKb(pid, "VmHWM");
  long threads = ProcStatusKb(pid, "Threads");
  long pss = ProcStatusKb(pid, "Pss", "smaps_rollup");
  long shared_clean = ProcStatusKb(pid, "Shared_Clean", "smaps_rollup");
  long private_kb = ProcStatusKb(pid, "Private_Dirty", "smaps_rollup") + ProcStatusKb(pid, "Private_Clean", "smaps_rollup");
  // Only a working process counts: it must be ready (informers synced over
  // the API server's TLS, leader elected) and serve its metrics. Measured
  // after the RSS so the scrape does not count in the idle number.
  httplib::Client health("127.0.0.1", health_port);
  auto ready = health.Get("/readyz");
  httplib::Client metrics("127.0.0.1", metrics_port);
  auto scrape = metrics.Get("/metrics");
  bool ok = ready && ready->status == 200 && scrape && scrape->status == 200 &&
            scrape->body.find("workqueue_adds_total{controller=\"configmap\"") != std::string::npos;
  long rss_scraped = ProcStatusKb(pid, "VmRSS");
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::printf("idle_rss %.2f MiB target<=10 (peak %.2f MiB, %ld threads, after %ds)\n", rss / 1024.0,
              hwm / 1024.0, threads, seconds);
  std::printf("idle_breakdown private %.2f MiB, shared clean library pages %.2f MiB, pss %.2f MiB\n",
              private_kb / 1024.0, shared_clean / 1024.0, pss / 1024.0);
  std::printf("idle_after_scrape %.2f MiB (/readyz %d, /metrics %d, %zu bytes)\n", rss_scraped / 1024.0,
              ready ? ready->status : -1, scrape ? scrape->status : -1, scrape ? scrape->body.size() : 0);
  if (!ok) std::fprintf(stderr, "the idle controller was not ready or did not serve its metrics\n");
  return rss > 0 && ok ? 0 : 1;
}

std::string FlagValue(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--" + name && i + 1 < argc) return argv[i + 1];
    if (a.rfind("--" + name + "=", 0) == 0) return a.substr(name.size() + 3);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench-runtime informer-memory|dispatch|idle [flags]\n");
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "informer-memory") return InformerMemory(std::stoi(FlagValue(argc, argv, "objects", "10000")));
  if (cmd == "dispatch") {
    return Dispatch(std::stoi(FlagValue(argc, argv, "items", "200000")),
                    std::stoi(FlagValue(argc, argv, "concurrent", "1")));
  }
  if (cmd == "idle") {
    // The measured process is its own small binary beside this one.
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
    std::string child = (self.parent_path() / "bench-runtime-idle").string();
    return Idle(FlagValue(argc, argv, "dev-apiserver", ""), std::stoi(FlagValue(argc, argv, "seconds", "5")),
                FlagValue(argc, argv, "child", child));
  }
  std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
  return 2;
}
