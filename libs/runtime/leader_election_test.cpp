// Multi-process tests of leader election, failover and shutdown: two
// runtime-test-controller replicas against one dev-apiserver. Short leases
// (2s / 1.5s / 0.25s) keep them fast. Each case skips while dev-apiserver
// or the test controller is not built.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "libs/kube/testing/dev_apiserver.h"
#include "libs/runtime/leader_elector.h"
#include "libs/runtime/testing/wait.h"

extern char** environ;

namespace fluxcpp::runtime {
namespace {

namespace fs = std::filesystem;
using kube::testing::DevApiServer;
using std::chrono::milliseconds;
using testing::WaitFor;

const kube::GroupVersionKind kConfigMap{"", "v1", "ConfigMap"};
const char* kLeaseName = "runtime-test-controller-leader-election";
const char* kLeaseNs = "flux-system";

std::string TestControllerPath() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / "runtime-test-controller").string();
}

bool Available() { return DevApiServer::Available() && access(TestControllerPath().c_str(), X_OK) == 0; }

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One controller process.
class Replica {
 public:
  Replica(const DevApiServer& server, const std::string& dir, const std::string& identity,
          std::vector<std::string> extra = {})
      : identity_(identity), log_(dir + "/" + identity + ".log"), metrics_port_(FreePort()) {
    std::vector<std::string> args = {TestControllerPath(),
                                     "--kubeconfig=" + server.kubeconfig_path(),
                                     "--enable-leader-election",
                                     "--leader-election-lease-duration=2s",
                                     "--leader-election-renew-deadline=1500ms",
                                     "--leader-election-retry-period=250ms",
                                     "--leader-election-namespace=flux-system",
                                     "--metrics-addr=127.0.0.1:" + std::to_string(metrics_port_),
                                     "--health-addr=127.0.0.1:0",
                                     "--record-file=" + dir + "/records",
                                     "--identity=" + identity};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Replica() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  void Signal(int sig) const { kill(pid_, sig); }
  // Exit status once the process ended within `timeout` (-1: killed by a
  // signal), nullopt while it runs.
  std::optional<int> Wait(milliseconds timeout) {
    if (exit_) return exit_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return exit_;
      }
      std::this_thread::sleep_for(milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    return std::nullopt;
  }
  const std::string& identity() const { return identity_; }
  std::string Log() const { return ReadFile(log_); }
  int metrics_port() const { return metrics_port_; }
  bool running() const { return pid_ > 0; }

 private:
  std::string identity_;
  std::string log_;
  int metrics_port_;
  pid_t pid_ = -1;
  std::optional<int> exit_;
};

struct Record {
  std::string what;  // begin, end, cancelled
  std::string identity;
  std::string key;
};

std::vector<Record> Records(const std::string& dir) {
  std::vector<Record> out;
  for (absl::string_view line : absl::StrSplit(ReadFile(dir + "/records"), '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() >= 3) out.push_back({f[0], f[1], f[2]});
  }
  return out;
}

int Count(const std::string& dir, const std::string& what, const std::string& identity, const std::string& key) {
  int n = 0;
  for (const Record& r : Records(dir)) {
    if (r.what == what && (identity.empty() || r.identity == identity) && (key.empty() || r.key == key)) ++n;
  }
  return n;
}

std::string Holder(kube::Client& client) {
  auto lease = client.Get(kLeaseGVK, kLeaseNs, kLeaseName);
  if (!lease.ok()) return "<none>";
  return object::GetString(*lease, {"spec", "holderIdentity"});
}

void CreateConfigMap(kube::Client& client, const std::string& name, const std::string& value = "1") {
  object::Value cm = {{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", {{"name", name}, {"namespace", "default"}}},
                      {"data", {{"v", value}}}};
  auto created = client.Create(cm);
  REQUIRE(created.ok());
}

struct Fixture {
  std::unique_ptr<DevApiServer> server;
  std::string dir;

  bool Setup() {
    if (!Available()) {
      if (std::getenv("CI") != nullptr) FAIL("dev-apiserver and runtime-test-controller are required under CI");
      WARN("dev-apiserver or runtime-test-controller not built; skipping");
      return false;
    }
    auto s = DevApiServer::Start();
    REQUIRE(s.ok());
    server = std::move(*s);
    dir = server->dir() + "/le";
    fs::create_directories(dir);
    object::Value ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kLeaseNs}}}};
    (void)server->client().Create(ns);
    return true;
  }
};

TEST_CASE("leader election: two replicas, exactly one reconciles", "[leader]") {
  Fixture f;
  if (!f.Setup()) return;
  kube::Client& client = f.server->client();
  Replica a(*f.server, f.dir, "a");
  REQUIRE(WaitFor([&] { return Holder(client) == "a"; }, milliseconds(15000)));
  Replica b(*f.server, f.dir, "b");
  std::this_thread::sleep_for(milliseconds(800));  // b is up, standing by
  for (int i = 0; i < 5; ++i) CreateConfigMap(client, "one-" + std::to_string(i));
  REQUIRE(WaitFor([&] { return Count(f.dir, "end", "a", "") >= 5; }, milliseconds(10000)));
  std::this_thread::sleep_for(milliseconds(1500));  // several renewals
  CHECK(Count(f.dir, "begin", "b", "") == 0);
  CHECK(Holder(client) == "a");
  CHECK(a.running());
  CHECK(b.running());

  // The leader serves Flux's metrics with the reconciled objects.
  httplib::Client http("127.0.0.1", a.metrics_port());
  auto res = http.Get("/metrics");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find("gotk_reconcile_duration_seconds_bucket{kind=\"ConfigMap\",name=\"one-0\",namespace="
                       "\"default\"") != std::string::npos);
  CHECK(res->body.find("controller_runtime_reconcile_total{controller=\"configmap\",result=\"success\"}") !=
        std::string::npos);
  CHECK(res->body.find("workqueue_adds_total{controller=\"configmap\"") != std::string::npos);
  CHECK(res->body.find("process_resident_memory_bytes") != std::string::npos);

  auto lease = client.Get(kLeaseGVK, kLeaseNs, kLeaseName);
  REQUIRE(lease.ok());
  CHECK(object::GetInt(*lease, {"spec", "leaseDurationSeconds"}) == 2);
  std::string renew = object::GetString(*lease, {"spec", "renewTime"});
  CHECK(renew.size() == 27);  // 2024-01-01T00:00:00.000000Z
  CHECK(renew.back() == 'Z');
}

TEST_CASE("leader election: kill -9 of the leader, the standby takes over within the lease duration", "[leader]") {
  Fixture f;
  if (!f.Setup()) return;
  kube::Client& client = f.server->client();
  Replica a(*f.server, f.dir, "a");
  REQUIRE(WaitFor([&] { return Holder(client) == "a"; }, milliseconds(15000)));
  Replica b(*f.server, f.dir, "b");
  std::this_thread::sleep_for(milliseconds(1000));
  CHECK(Holder(client) == "a");

  a.Signal(SIGKILL);
  REQUIRE(a.Wait(milliseconds(2000)).has_value());
  auto killed = std::chrono::steady_clock::now();
  REQUIRE(WaitFor([&] { return Holder(client) == "b"; }, milliseconds(10000)));
  auto took = std::chrono::steady_clock::now() - killed;
  // Lease 2s, observed on b's clock, plus one retry period (+20% jitter).
  CHECK(took <= milliseconds(2000 + 300 + 400));
  CreateConfigMap(client, "after-failover");
  CHECK(WaitFor([&] { return Count(f.dir, "end", "b", "default/after-failover") >= 1; }, milliseconds(10000)));
  auto lease = client.Get(kLeaseGVK, kLeaseNs, kLeaseName);
  REQUIRE(lease.ok());
  CHECK(object::GetInt(*lease, {"spec", "leaseTransitions"}) >= 1);
}

TEST_CASE("leader election: SIGTERM drains in-flight reconciles and releases the lease", "[leader]") {
  Fixture f;
  if (!f.Setup()) return;
  kube::Client& client = f.server->client();
  Replica a(*f.server, f.dir, "a", {"--reconcile-sleep=1500ms"});
  REQUIRE(WaitFor([&] { return Holder(client) == "a"; }, milliseconds(15000)));
  Replica b(*f.server, f.dir, "b", {"--reconcile-sleep=1500ms"});
  std::this_thread::sleep_for(milliseconds(800));
  CreateConfigMap(client, "slow");
  REQUIRE(WaitFor([&] { return Count(f.dir, "begin", "a", "default/slow") >= 1; }, milliseconds(10000)));

  a.Signal(SIGTERM);
  auto termed = std::chrono::steady_clock::now();
  auto status = a.Wait(milliseconds(10000));
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  // The in-flight reconcile ran to its end before the process exited.
  CHECK(Count(f.dir, "end", "a", "default/slow") == 1);
  CHECK(Count(f.dir, "cancelled", "a", "") == 0);
  // Released on cancel: b takes over well before the 2s lease would expire.
  REQUIRE(WaitFor([&] { return Holder(client) == "b"; }, milliseconds(10000)));
  auto took = std::chrono::steady_clock::now() - termed;
  CHECK(took <= milliseconds(1500 + 1500));  // the drain itself took up to 1.5s
  CHECK(WaitFor([&] { return Count(f.dir, "end", "b", "default/slow") >= 1; }, milliseconds(10000)));
}

TEST_CASE("leader election: a replica that loses the lease stops reconciling at once and exits 1", "[leader]") {
  Fixture f;
  if (!f.Setup()) return;
  kube::Client& client = f.server->client();
  Replica a(*f.server, f.dir, "a", {"--reconcile-sleep=30s"});
  REQUIRE(WaitFor([&] { return Holder(client) == "a"; }, milliseconds(15000)));
  CreateConfigMap(client, "long");
  REQUIRE(WaitFor([&] { return Count(f.dir, "begin", "a", "default/long") >= 1; }, milliseconds(10000)));

  // Another holder takes the lease (as after a network partition).
  auto lease = client.Get(kLeaseGVK, kLeaseNs, kLeaseName);
  REQUIRE(lease.ok());
  (*lease)["spec"]["holderIdentity"] = "thief";
  (*lease)["spec"]["renewTime"] = FormatMicroTime(std::chrono::system_clock::now());
  (*lease)["spec"]["leaseDurationSeconds"] = 60;
  REQUIRE(client.Update(*lease).ok());
  auto stolen = std::chrono::steady_clock::now();

  auto status = a.Wait(milliseconds(5000));
  REQUIRE(status.has_value());
  CHECK(*status == 1);
  CHECK(std::chrono::steady_clock::now() - stolen <= milliseconds(1500));
  CHECK(Count(f.dir, "cancelled", "a", "default/long") == 1);
  CHECK(Count(f.dir, "end", "a", "default/long") == 0);
  CHECK(a.Log().find("leader election lost") != std::string::npos);
  CHECK(Holder(client) == "thief");
}

}  // namespace
}  // namespace fluxcpp::runtime
