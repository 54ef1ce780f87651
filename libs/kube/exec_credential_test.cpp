// Exec credential plugins: the client.authentication.k8s.io protocol, the
// cache until expirationTimestamp, refresh on expiry and on a 401, and the
// refusal without --insecure-kubeconfig-exec.
#include "libs/core/testing/temp_dir.h"
#include "libs/kube/exec_credential.h"

#include <httplib.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/kube/client.h"
#include "libs/kube/config.h"

namespace fluxcpp::kube {
namespace {

namespace fs = std::filesystem;

using fluxcpp::testing::TempDir;

// A plugin that counts its runs in $DIR/count, saves its exec info in
// $DIR/info and prints token-<run> expiring in $TTL seconds (none when
// TTL is empty).
std::string WritePlugin(const TempDir& dir) {
  return dir.Write("plugin.sh", R"SH(#!/bin/sh
n=$(( $(cat "$DIR/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$DIR/count"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$DIR/info"
exp=""
if [ -n "$TTL" ]; then
  exp=$(printf ',"expirationTimestamp":"%s"' "$(date -u -d "+$TTL seconds" +%Y-%m-%dT%H:%M:%S.%NZ)")
fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"token-%s"%s}}\n' \
  "${REPLY_VERSION:-client.authentication.k8s.io/v1}" "$n" "$exp"
)SH",
                   /*mode=*/0755);
}

object::Value ExecFor(const TempDir& dir, const std::string& ttl) {
  return {{"apiVersion", "client.authentication.k8s.io/v1"},
          {"command", WritePlugin(dir)},
          {"interactiveMode", "Never"},
          {"env", {{{"name", "DIR"}, {"value", dir.path()}}, {{"name", "TTL"}, {"value", ttl}}}}};
}

TEST_CASE("ExecCredentialSource caches until expiry, then runs the plugin again", "[exec]") {
  TempDir dir;
  ExecCredentialSource source(ExecFor(dir, "1"), object::Value(), "remote");
  auto first = source.Get();
  REQUIRE(first.ok());
  CHECK(first->token == "token-1");
  CHECK(first->expiry > absl::Now());
  CHECK(first->expiry < absl::Now() + absl::Seconds(2));
  auto cached = source.Get();
  REQUIRE(cached.ok());
  CHECK(cached->token == "token-1");
  CHECK(source.runs() == 1);

  absl::SleepFor(absl::Milliseconds(1300));
  auto refreshed = source.Get();
  REQUIRE(refreshed.ok());
  CHECK(refreshed->token == "token-2");
  CHECK(source.runs() == 2);

  // The exec info says: not interactive; no cluster unless provideClusterInfo.
  auto info = object::ParseJson(fluxcpp::testing::ReadFile(dir.Join("info")));
  REQUIRE(info.ok());
  CHECK(object::GetString(*info, {"kind"}) == "ExecCredential");
  CHECK(object::GetString(*info, {"apiVersion"}) == "client.authentication.k8s.io/v1");
  CHECK(object::Find(*info, {"spec", "interactive"}) != nullptr);
  CHECK_FALSE(object::GetBool(*info, {"spec", "interactive"}, true));
  CHECK(object::Find(*info, {"spec", "cluster"}) == nullptr);
}

TEST_CASE("ExecCredentialSource: a 401 drops the credential, a stale 401 does not", "[exec]") {
  TempDir dir;
  ExecCredentialSource source(ExecFor(dir, ""), object::Value(), "remote");  // no expiry
  REQUIRE(source.Get()->token == "token-1");
  REQUIRE(source.Get()->token == "token-1");
  source.Invalidate("token-1");
  REQUIRE(source.Get()->token == "token-2");
  source.Invalidate("token-1");  // a request that still carried the old one
  CHECK(source.Get()->token == "token-2");
  CHECK(source.runs() == 2);
}

TEST_CASE("ExecCredentialSource: concurrent callers share one plugin run", "[exec]") {
  TempDir dir;
  ExecCredentialSource source(ExecFor(dir, ""), object::Value(), "remote");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto c = source.Get();
      if (c.ok() && c->token == "token-1") ok.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok.load() == 8);
  CHECK(source.runs() == 1);
}

TEST_CASE("RunExecPlugin: cluster info, interactive modes and protocol errors", "[exec]") {
  TempDir dir;
  object::Value exec = ExecFor(dir, "");
  exec["provideClusterInfo"] = true;
  object::Value cluster = {{"server", "https://remote:6443"}, {"certificate-authority-data", "Q0E="}};
  REQUIRE(RunExecPlugin(exec, cluster).ok());
  auto info = object::ParseJson(fluxcpp::testing::ReadFile(dir.Join("info")));
  REQUIRE(info.ok());
  CHECK(object::GetString(*info, {"spec", "cluster", "server"}) == "https://remote:6443");
  CHECK(object::GetString(*info, {"spec", "cluster", "certificate-authority-data"}) == "Q0E=");

  object::Value always = ExecFor(dir, "");
  always["interactiveMode"] = "Always";
  auto needs_tty = RunExecPlugin(always);
  CHECK(absl::IsFailedPrecondition(needs_tty.status()));
  CHECK(absl::StrContains(needs_tty.status().message(), "interactive terminal"));

  object::Value no_mode = ExecFor(dir, "");
  no_mode.erase("interactiveMode");
  auto missing = RunExecPlugin(no_mode);
  CHECK(absl::IsInvalidArgument(missing.status()));
  CHECK(absl::StrContains(missing.status().message(), "user.exec.interactiveMode"));
  no_mode["apiVersion"] = "client.authentication.k8s.io/v1beta1";  // optional there
  no_mode["env"].push_back({{"name", "REPLY_VERSION"}, {"value", "client.authentication.k8s.io/v1beta1"}});
  CHECK(RunExecPlugin(no_mode).ok());

  object::Value alpha = ExecFor(dir, "");
  alpha["apiVersion"] = "client.authentication.k8s.io/v1alpha1";
  CHECK(absl::StrContains(RunExecPlugin(alpha).status().message(), "user.exec.apiVersion"));

  object::Value mismatch = ExecFor(dir, "");
  mismatch["env"].push_back({{"name", "REPLY_VERSION"}, {"value", "client.authentication.k8s.io/v1beta1"}});
  auto wrong = RunExecPlugin(mismatch);
  CHECK(absl::IsInvalidArgument(wrong.status()));
  CHECK(absl::StrContains(wrong.status().message(), "printed an ExecCredential of apiVersion"));

  object::Value bad_time = {{"apiVersion", "client.authentication.k8s.io/v1"},
                            {"interactiveMode", "Never"},
                            {"command", dir.Write("bad_time.sh", R"(#!/bin/sh
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"secret-token","expirationTimestamp":"tomorrow"}}'
)", 0755)}};
  auto bad = RunExecPlugin(bad_time);
  CHECK(absl::IsInvalidArgument(bad.status()));
  CHECK(absl::StrContains(bad.status().message(), "status.expirationTimestamp"));
  CHECK_FALSE(absl::StrContains(bad.status().message(), "secret-token"));
}

// An API server that accepts only the newest token its "issuer" handed out.
class TokenServer {
 public:
  TokenServer() {
    server_.Get("/version", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back(req.get_header_value("Authorization"));
      if (req.get_header_value("Authorization") != "Bearer " + valid_) {
        res.status = 401;
        res.set_content(R"({"kind":"Status","status":"Failure","reason":"Unauthorized","code":401})",
                        "application/json");
        return;
      }
      res.set_content(R"({"gitVersion":"v1.30.0"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TokenServer() {
    server_.stop();
    thread_.join();
  }
  void set_valid(const std::string& token) {
    std::lock_guard<std::mutex> lock(mu_);
    valid_ = token;
  }
  std::vector<std::string> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::mutex mu_;
  std::string valid_ = "token-1";
  std::vector<std::string> seen_;
  int port_ = 0;
  std::thread thread_;
};

std::string KubeconfigFor(const TempDir& dir, const std::string& server, const std::string& ttl) {
  return absl::StrCat(R"(
clusters:
- name: c
  cluster: {server: ")", server, R"("}
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: )", WritePlugin(dir), R"(
      interactiveMode: IfAvailable
      env:
      - {name: DIR, value: ")", dir.path(), R"("}
      - {name: TTL, value: ")", ttl, R"("}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
)");
}

TEST_CASE("Client: a revoked exec credential is replaced after a 401, an expired one before use", "[exec]") {
  TempDir dir;
  TokenServer server;
  LoadOptions load;
  load.allow_exec = true;
  auto config = ParseKubeconfig(KubeconfigFor(dir, server.url(), ""), load);
  REQUIRE(config.ok());
  REQUIRE(config->exec_credentials != nullptr);
  auto client = Client::Create(*config);
  REQUIRE(client.ok());
  REQUIRE((*client)->RawGet("/version").ok());
  server.set_valid("token-2");  // token-1 revoked
  auto after = (*client)->RawGet("/version");
  REQUIRE(after.ok());
  CHECK(server.seen() == std::vector<std::string>{"Bearer token-1", "Bearer token-1", "Bearer token-2"});
  CHECK(config->exec_credentials->runs() == 2);

  // A plugin whose token lives 1 s: the next request after that fetches a new one.
  TempDir dir2;
  TokenServer server2;
  auto short_lived = ParseKubeconfig(KubeconfigFor(dir2, server2.url(), "1"), load);
  REQUIRE(short_lived.ok());
  auto client2 = Client::Create(*short_lived);
  REQUIRE(client2.ok());
  REQUIRE((*client2)->RawGet("/version").ok());
  server2.set_valid("token-2");
  absl::SleepFor(absl::Milliseconds(1300));
  REQUIRE((*client2)->RawGet("/version").ok());
  CHECK(server2.seen() == std::vector<std::string>{"Bearer token-1", "Bearer token-2"});
}

TEST_CASE("Exec plugins are refused without --insecure-kubeconfig-exec", "[exec]") {
  TempDir dir;
  std::string yaml = KubeconfigFor(dir, "http://127.0.0.1:1", "");
  // spec.kubeConfig (remote clusters) goes through ParseKubeconfig.
  auto refused = ParseKubeconfig(yaml, LoadOptions{});
  REQUIRE_FALSE(refused.ok());
  CHECK(absl::IsPermissionDenied(refused.status()));
  CHECK(absl::StrContains(refused.status().message(), "--insecure-kubeconfig-exec"));
  CHECK(fluxcpp::testing::ReadFile(dir.Join("count")).empty());  // the plugin never ran
  // --kubeconfig goes through LoadConfig.
  LoadOptions file;
  file.kubeconfig_path = dir.Write("kubeconfig", yaml);
  CHECK(absl::IsPermissionDenied(LoadConfig(file).status()));
  CHECK(fluxcpp::testing::ReadFile(dir.Join("count")).empty());
}

}  // namespace
}  // namespace fluxcpp::kube
