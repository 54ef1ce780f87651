#include "libs/runtime/manager.h"

#include <httplib.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/runtime/testing/fake_client.h"
#include "libs/runtime/testing/wait.h"

namespace fluxcpp::runtime {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;

TEST_CASE("Common flags have Flux's names and defaults", "[options]") {
  ManagerOptions o;
  FlagSet flags("test-controller");
  RegisterCommonFlags(flags, o);
  REQUIRE(flags.Parse(std::vector<std::string>{"prog"}).ok());
  REQUIRE(o.metrics_addr == ":8080");
  REQUIRE(o.health_addr == ":9440");
  REQUIRE(o.events_addr.empty());
  REQUIRE(o.concurrent == 4);
  REQUIRE(o.min_retry_delay == 750ms);
  REQUIRE(o.max_retry_delay == 15min);
  REQUIRE(o.interval_jitter_percentage == 5);
  REQUIRE(o.watch_all_namespaces);
  REQUIRE(o.kube_api_qps == 50);
  REQUIRE(o.kube_api_burst == 300);
  REQUIRE(o.leader_election_lease_duration == 35s);
  REQUIRE(o.leader_election_renew_deadline == 30s);
  REQUIRE(o.leader_election_retry_period == 5s);
  REQUIRE(FinalizeOptions(o).ok());
  REQUIRE(o.WatchNamespace().empty());
}

TEST_CASE("Common flags parse like pflag", "[options]") {
  ManagerOptions o;
  FlagSet flags("test-controller");
  RegisterCommonFlags(flags, o);
  std::vector<std::string> args = {"prog",
                                   "--concurrent=10",
                                   "--metrics-addr", "127.0.0.1:0",
                                   "--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
                                   "--min-retry-delay=1s",
                                   "--max-retry-delay=2m",
                                   "--interval-jitter-percentage=10",
                                   "--watch-label-selector=sharding.fluxcd.io/key=shard1",
                                   "--enable-leader-election",
                                   "--leader-election-lease-duration=1m",
                                   "--log-level=debug",
                                   "--feature-gates=DisableStatusPollerCache=false,ExternalArtifact=true",
                                   "--kube-api-qps=20.5",
                                   "--kube-api-burst=40"};
  REQUIRE(flags.Parse(args).ok());
  REQUIRE(o.concurrent == 10);
  REQUIRE(o.metrics_addr == "127.0.0.1:0");
  REQUIRE(o.min_retry_delay == 1s);
  REQUIRE(o.max_retry_delay == 2min);
  REQUIRE(o.interval_jitter_percentage == 10);
  REQUIRE(o.watch_label_selector == "sharding.fluxcd.io/key=shard1");
  REQUIRE(o.enable_leader_election);
  REQUIRE(o.leader_election_lease_duration == 1min);
  REQUIRE(o.kube_api_qps == 20.5);
  REQUIRE(o.kube_api_burst == 40);
  std::map<std::string, bool> known = {{"DisableStatusPollerCache", true}, {"ExternalArtifact", false},
                                       {"StrictPostBuildSubstitutions", true}};
  REQUIRE(FinalizeOptions(o, known).ok());
  REQUIRE_FALSE(o.FeatureEnabled("DisableStatusPollerCache"));
  REQUIRE(o.FeatureEnabled("ExternalArtifact"));
  REQUIRE(o.FeatureEnabled("StrictPostBuildSubstitutions"));  // default kept
  Logger::SetLevel("info");
}

TEST_CASE("Manager::Create refuses exec plugins unless --insecure-kubeconfig-exec", "[options][exec]") {
  char dir_tmpl[] = "/tmp/manager-exec-test-XXXXXX";
  REQUIRE(::mkdtemp(dir_tmpl) != nullptr);
  const std::string dir = dir_tmpl;
  const std::string plugin = dir + "/plugin.sh";
  {
    std::ofstream(plugin) << "#!/bin/sh\ntouch " << dir << "/ran\n"
                          << "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                             "\"status\":{\"token\":\"t\"}}'\n";
    std::ofstream(dir + "/kubeconfig") << "clusters:\n- name: c\n  cluster: {server: \"http://127.0.0.1:1\"}\n"
                                       << "users:\n- name: u\n  user:\n    exec:\n"
                                       << "      apiVersion: client.authentication.k8s.io/v1\n"
                                       << "      interactiveMode: Never\n"
                                       << "      command: " << plugin << "\n"
                                       << "contexts:\n- name: c\n  context: {cluster: c, user: u}\n"
                                       << "current-context: c\n";
  }
  REQUIRE(::chmod(plugin.c_str(), 0755) == 0);
  auto create = [&](std::vector<std::string> extra) {
    ManagerOptions o;
    FlagSet flags("test-controller");
    RegisterCommonFlags(flags, o);
    std::vector<std::string> args = {"prog", "--kubeconfig=" + dir + "/kubeconfig", "--metrics-addr=127.0.0.1:0",
                                     "--health-addr=127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    REQUIRE(flags.Parse(args).ok());
    return Manager::Create(o);
  };
  auto refused = create({});
  REQUIRE_FALSE(refused.ok());
  CHECK(absl::IsPermissionDenied(refused.status()));
  CHECK(absl::StrContains(refused.status().message(), "use --insecure-kubeconfig-exec to allow them"));
  CHECK_FALSE(std::filesystem::exists(dir + "/ran"));

  auto allowed = create({"--insecure-kubeconfig-exec"});
  CHECK(allowed.ok());
  CHECK(std::filesystem::exists(dir + "/ran"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Option validation", "[options]") {
  std::map<std::string, bool> known = {{"A", false}};
  REQUIRE_FALSE(ParseFeatureGates({"B=true"}, known).ok());
  REQUIRE_FALSE(ParseFeatureGates({"A=maybe"}, known).ok());
  REQUIRE_FALSE(ParseFeatureGates({"A"}, known).ok());
  REQUIRE(ParseFeatureGates({"A=1"}, known)->at("A"));
  REQUIRE(ParseFeatureGates({"Anything=true"}, {})->at("Anything"));

  ManagerOptions o;
  o.interval_jitter_percentage = 100;
  REQUIRE_FALSE(FinalizeOptions(o).ok());
  o = ManagerOptions();
  o.log_level = "verbose";
  REQUIRE_FALSE(FinalizeOptions(o).ok());
  o = ManagerOptions();
  o.watch_all_namespaces = false;
  unsetenv("RUNTIME_NAMESPACE");
  REQUIRE_FALSE(FinalizeOptions(o).ok());
  setenv("RUNTIME_NAMESPACE", "flux-system", 1);
  REQUIRE(FinalizeOptions(o).ok());
  REQUIRE(o.WatchNamespace() == "flux-system");
  unsetenv("RUNTIME_NAMESPACE");
}

TEST_CASE("Listen addresses follow Go's syntax", "[options]") {
  auto a = ParseListenAddress(":8080");
  REQUIRE(a.ok());
  REQUIRE(a->host == "0.0.0.0");
  REQUIRE(a->port == 8080);
  a = ParseListenAddress("127.0.0.1:0");
  REQUIRE(a->host == "127.0.0.1");
  REQUIRE(a->port == 0);
  a = ParseListenAddress("[::1]:9440");
  REQUIRE(a->host == "::1");
  REQUIRE_FALSE(ParseListenAddress("8080").ok());
  REQUIRE_FALSE(ParseListenAddress(":http").ok());
  REQUIRE_FALSE(ParseListenAddress(":70000").ok());
}

class NoopReconciler : public Reconciler {
 public:
  Result Reconcile(const Request&, ReconcileContext&) override { return Result::Done(); }
};

TEST_CASE("Manager serves metrics and probes and stops on request", "[manager]") {
  auto client = std::make_unique<testing::FakeClient>();
  auto* fake = client.get();
  object::Value ks = {{"apiVersion", "kustomize.toolkit.fluxcd.io/v1"},
                      {"kind", "Kustomization"},
                      {"metadata", {{"name", "app"}, {"namespace", "default"}}},
                      {"spec", {{"path", "./"}}}};
  REQUIRE(fake->Create(ks).ok());
  ManagerOptions o;
  o.metrics_addr = "127.0.0.1:0";
  o.health_addr = "127.0.0.1:0";
  Manager mgr(std::move(client), o);
  kube::GroupVersionKind gvk{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
  mgr.AddController(mgr.ControllerDefaults("kustomization", gvk), std::make_unique<NoopReconciler>());
  auto repos = mgr.SharedInformer({"source.toolkit.fluxcd.io", "v1", "GitRepository"});
  REQUIRE(repos == mgr.SharedInformer({"source.toolkit.fluxcd.io", "v1", "GitRepository"}));
  REQUIRE_FALSE(mgr.ReadyStatus().ok());

  absl::Status run_status;
  std::thread runner([&] { run_status = mgr.Run(); });
  REQUIRE(WaitFor([&] { return mgr.ReadyStatus().ok(); }));
  REQUIRE(mgr.metrics_port() > 0);
  REQUIRE(mgr.health_port() > 0);

  httplib::Client health("127.0.0.1", mgr.health_port());
  auto res = health.Get("/healthz");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  REQUIRE(res->body == "ok");
  res = health.Get("/readyz");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  REQUIRE(res->body == "ok");

  REQUIRE(WaitFor([&] {
    return mgr.registry().Expose().find(
               "controller_runtime_reconcile_total{controller=\"kustomization\",result=\"success\"} 1") !=
           std::string::npos;
  }));
  httplib::Client metrics("127.0.0.1", mgr.metrics_port());
  res = metrics.Get("/metrics");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  REQUIRE(res->get_header_value("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  REQUIRE(res->body.find("\nprocess_resident_memory_bytes ") != std::string::npos);
  REQUIRE(res->body.find("gotk_reconcile_duration_seconds_bucket{kind=\"Kustomization\",name=\"app\","
                         "namespace=\"default\",le=\"0.01\"}") != std::string::npos);
  REQUIRE(res->body.find("workqueue_adds_total{controller=\"kustomization\",name=\"kustomization\"} 1") !=
          std::string::npos);

  mgr.AddReadyCheck("artifact-server", [] { return absl::UnavailableError("not listening"); });
  res = health.Get("/readyz");
  REQUIRE(res->status == 500);

  mgr.RequestStop();
  runner.join();
  REQUIRE(run_status.ok());
}

}  // namespace
}  // namespace fluxcpp::runtime

namespace fluxcpp::runtime {
namespace {

TEST_CASE("Manager keeps metrics and probes on their own ports and reports bind errors", "[manager]") {
  ManagerOptions o;
  o.metrics_addr = "127.0.0.1:0";
  o.health_addr = "127.0.0.1:0";
  Manager mgr(std::make_unique<testing::FakeClient>(), o);
  REQUIRE(mgr.Start().ok());
  REQUIRE(mgr.metrics_port() > 0);
  REQUIRE(mgr.health_port() > 0);
  httplib::Client health("127.0.0.1", mgr.health_port());
  httplib::Client metrics("127.0.0.1", mgr.metrics_port());
  auto res = health.Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 404);
  res = metrics.Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 404);
  res = metrics.Head("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.empty());
  res = health.Post("/readyz", "", "text/plain");
  REQUIRE(res);
  CHECK(res->status == 405);
  // A failing health check turns /healthz into 500 with its message.
  mgr.AddHealthCheck("disk", [] { return absl::UnavailableError("disk full"); });
  res = health.Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 500);
  CHECK(res->body == "disk: disk full");

  // The ports are taken now: a second manager cannot start and says which flag.
  ManagerOptions taken;
  taken.metrics_addr = absl::StrCat("127.0.0.1:", mgr.metrics_port());
  taken.health_addr = "0";  // disabled
  Manager second(std::make_unique<testing::FakeClient>(), taken);
  absl::Status s = second.Start();
  REQUIRE_FALSE(s.ok());
  CHECK(absl::StrContains(s.message(), "--metrics-addr 127.0.0.1:"));
  CHECK(absl::StrContains(s.message(), "in use"));
  ManagerOptions taken_health;
  taken_health.metrics_addr = "";
  taken_health.health_addr = absl::StrCat("127.0.0.1:", mgr.health_port());
  Manager third(std::make_unique<testing::FakeClient>(), taken_health);
  s = third.Start();
  REQUIRE_FALSE(s.ok());
  CHECK(absl::StrContains(s.message(), "--health-addr"));
  mgr.Stop();
  // Both disabled: no server at all.
  ManagerOptions none;
  none.metrics_addr = "0";
  none.health_addr = "";
  Manager quiet(std::make_unique<testing::FakeClient>(), none);
  REQUIRE(quiet.Start().ok());
  CHECK(quiet.metrics_port() == 0);
  CHECK(quiet.health_port() == 0);
}

}  // namespace
}  // namespace fluxcpp::runtime
