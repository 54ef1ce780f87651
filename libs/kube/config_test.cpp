#include "libs/core/testing/temp_dir.h"
#include "libs/kube/config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace fluxcpp::kube {
namespace {

namespace fs = std::filesystem;

using fluxcpp::testing::TempDir;

// Sets an environment variable for the scope, restoring the old value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      ::unsetenv(name);
    } else {
      ::setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

std::string B64(const std::string& s) { return absl::Base64Escape(s); }

TEST_CASE("ParseKubeconfig: token, CA data and the context namespace", "[config]") {
  std::string yaml = R"(apiVersion: v1
kind: Config
clusters:
- name: dev
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: )" + B64("CA PEM") + R"(
users:
- name: admin
  user:
    token: s3cr3t
contexts:
- name: dev
  context:
    cluster: dev
    user: admin
    namespace: flux-system
current-context: dev
)";
  auto config = ParseKubeconfig(yaml, {});
  REQUIRE(config.ok());
  CHECK(config->server == "https://127.0.0.1:6443");
  CHECK(config->ca_pem == "CA PEM");
  CHECK(config->bearer_token == "s3cr3t");
  CHECK_FALSE(config->insecure_skip_tls_verify);
  CHECK(config->default_namespace == "flux-system");
  CHECK(config->client_cert_pem.empty());
}

TEST_CASE("ParseKubeconfig: client certificates, basic auth, contexts", "[config]") {
  std::string yaml = R"(
clusters:
- name: a
  cluster: {server: "https://a.example:443", insecure-skip-tls-verify: true}
- name: b
  cluster: {server: "http://b.example:8080"}
users:
- name: cert
  user:
    client-certificate-data: )" + B64("CERT") + R"(
    client-key-data: )" + B64("KEY") + R"(
- name: basic
  user: {username: alice, password: wonderland, as: bob, as-groups: [devs, ops]}
contexts:
- name: ctx-a
  context: {cluster: a, user: cert}
- name: ctx-b
  context: {cluster: b, user: basic}
- name: ctx-missing-user
  context: {cluster: b, user: nobody}
- name: ctx-anon
  context: {cluster: b}
current-context: ctx-a
)";
  auto a = ParseKubeconfig(yaml, {});
  REQUIRE(a.ok());
  CHECK(a->server == "https://a.example:443");
  CHECK(a->insecure_skip_tls_verify);
  CHECK(a->client_cert_pem == "CERT");
  CHECK(a->client_key_pem == "KEY");

  LoadOptions opts;
  opts.context = "ctx-b";
  auto b = ParseKubeconfig(yaml, opts);
  REQUIRE(b.ok());
  CHECK(b->server == "http://b.example:8080");
  CHECK(b->username == "alice");
  CHECK(b->password == "wonderland");
  CHECK(b->impersonate_user == "bob");
  CHECK(b->impersonate_groups == std::vector<std::string>{"devs", "ops"});

  opts.context = "ctx-anon";
  auto anon = ParseKubeconfig(yaml, opts);
  REQUIRE(anon.ok());
  CHECK(anon->bearer_token.empty());

  opts.context = "nope";
  auto missing = ParseKubeconfig(yaml, opts);
  CHECK(absl::IsNotFound(missing.status()));
  CHECK(missing.status().message() == "kubeconfig: context \"nope\" not found");

  opts.context = "ctx-missing-user";
  CHECK(absl::IsNotFound(ParseKubeconfig(yaml, opts).status()));
}

TEST_CASE("ParseKubeconfig: errors", "[config]") {
  CHECK(absl::IsFailedPrecondition(ParseKubeconfig("clusters: []\n", {}).status()));
  CHECK(!ParseKubeconfig("- just\n- a list\n", {}).ok());
  auto bad64 = ParseKubeconfig(R"(
clusters: [{name: c, cluster: {server: "https://x", certificate-authority-data: "!!!notbase64"}}]
contexts: [{name: c, context: {cluster: c}}]
current-context: c
)",
                               {});
  CHECK(absl::IsInvalidArgument(bad64.status()));
  auto no_server = ParseKubeconfig(R"(
clusters: [{name: c, cluster: {}}]
contexts: [{name: c, context: {cluster: c}}]
current-context: c
)",
                                   {});
  CHECK(absl::IsInvalidArgument(no_server.status()));
}

TEST_CASE("LoadConfig: file references resolve against the kubeconfig folder", "[config]") {
  TempDir dir;
  dir.Write("certs/ca.crt", "CA FILE");
  dir.Write("certs/client.crt", "CERT FILE");
  dir.Write("certs/client.key", "KEY FILE");
  dir.Write("token", "tok-from-file\n");
  std::string path = dir.Write("conf/kubeconfig", R"(
clusters:
- name: c
  cluster: {server: "https://10.0.0.1:6443", certificate-authority: ../certs/ca.crt}
users:
- name: u
  user: {client-certificate: ../certs/client.crt, client-key: ../certs/client.key, tokenFile: ../token}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
)");
  LoadOptions opts;
  opts.kubeconfig_path = path;
  auto config = LoadConfig(opts);
  REQUIRE(config.ok());
  CHECK(config->ca_pem == "CA FILE");
  CHECK(config->client_cert_pem == "CERT FILE");
  CHECK(config->client_key_pem == "KEY FILE");
  CHECK(config->bearer_token == "tok-from-file");
  CHECK(config->bearer_token_file == dir.path() + "/token");

  opts.kubeconfig_path = dir.path() + "/does-not-exist";
  CHECK(absl::IsNotFound(LoadConfig(opts).status()));
}

TEST_CASE("LoadConfig: KUBECONFIG lists merge, first definition wins", "[config]") {
  TempDir dir;
  std::string first = dir.Write("first", R"(
clusters:
- name: shared
  cluster: {server: "https://first:6443"}
users:
- name: u1
  user: {token: one}
contexts:
- name: ctx1
  context: {cluster: shared, user: u1}
current-context: ctx1
)");
  std::string second = dir.Write("second", R"(
clusters:
- name: shared
  cluster: {server: "https://second:6443"}
- name: other
  cluster: {server: "https://other:6443"}
users:
- name: u1
  user: {token: overridden}
- name: u2
  user: {token: two}
contexts:
- name: ctx2
  context: {cluster: other, user: u2}
- name: ctx3
  context: {cluster: shared, user: u2}
current-context: ctx2
)");
  std::string list = first + ":" + dir.path() + "/missing:" + second;
  ScopedEnv env("KUBECONFIG", list.c_str());

  auto config = LoadConfig({});
  REQUIRE(config.ok());
  CHECK(config->server == "https://first:6443");  // current-context from the first file
  CHECK(config->bearer_token == "one");

  LoadOptions opts;
  opts.context = "ctx2";
  config = LoadConfig(opts);
  REQUIRE(config.ok());
  CHECK(config->server == "https://other:6443");
  CHECK(config->bearer_token == "two");

  opts.context = "ctx3";
  config = LoadConfig(opts);
  REQUIRE(config.ok());
  CHECK(config->server == "https://first:6443");  // cluster "shared" from the first file
}

TEST_CASE("LoadConfig: exec plugins are refused unless allowed", "[config][exec]") {
  TempDir dir;
  dir.Write("bin/plugin.sh", R"(#!/bin/sh
if [ -z "$KUBERNETES_EXEC_INFO" ]; then echo "no exec info" >&2; exit 3; fi
if [ "$1" != "--flag" ]; then echo "bad args: $*" >&2; exit 4; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\n' "$PLUGIN_TOKEN"
)",
            /*mode=*/0755);
  dir.Write("bin/fail.sh", "#!/bin/sh\necho 'credentials expired' >&2\nexit 1\n", 0755);
  std::string path = dir.Write("kubeconfig", R"(
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: plugin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/plugin.sh
      args: ["--flag"]
      env:
      - {name: PLUGIN_TOKEN, value: from-plugin}
      interactiveMode: Never
- name: failing
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/fail.sh, interactiveMode: Never}
contexts:
- name: c
  context: {cluster: c, user: plugin}
- name: f
  context: {cluster: c, user: failing}
current-context: c
)");
  LoadOptions opts;
  opts.kubeconfig_path = path;
  auto refused = LoadConfig(opts);
  REQUIRE_FALSE(refused.ok());
  CHECK(absl::IsPermissionDenied(refused.status()));
  CHECK(absl::StrContains(refused.status().message(),
                          "exec plugins are disabled; use --insecure-kubeconfig-exec to allow them"));

  opts.allow_exec = true;
  auto allowed = LoadConfig(opts);
  REQUIRE(allowed.ok());
  CHECK(allowed->bearer_token == "from-plugin");

  opts.context = "f";
  auto failed = LoadConfig(opts);
  REQUIRE_FALSE(failed.ok());
  CHECK(absl::StrContains(failed.status().message(), "credentials expired"));
}

TEST_CASE("InClusterConfig reads the service account", "[config]") {
  TempDir dir;
  dir.Write("token", "sa-token\n");
  dir.Write("ca.crt", "CLUSTER CA");
  dir.Write("namespace", "flux-system");
  {
    ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
    auto config = InClusterConfig(dir.path());
    REQUIRE(config.ok());
    CHECK(config->server == "https://10.96.0.1:443");
    CHECK(config->bearer_token == "sa-token");
    CHECK(config->bearer_token_file == dir.path() + "/token");
    CHECK(config->ca_pem == "CLUSTER CA");
    CHECK(config->default_namespace == "flux-system");
  }
  {
    ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00::1");
    ScopedEnv port("KUBERNETES_SERVICE_PORT", "6443");
    auto config = InClusterConfig(dir.path());
    REQUIRE(config.ok());
    CHECK(config->server == "https://[fd00::1]:6443");
  }
  ScopedEnv host("KUBERNETES_SERVICE_HOST", nullptr);
  CHECK(absl::IsFailedPrecondition(InClusterConfig(dir.path()).status()));
}

}  // namespace
}  // namespace fluxcpp::kube
