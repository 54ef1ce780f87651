// spec.kubeConfig.configMapRef: ConfigMap validation, TokenRequest use and
// the token cache, with a FakeClient answering TokenRequests.

#include "services/kustomize-controller/workload_identity.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/runtime/testing/fake_client.h"
#include "services/kustomize-controller/applier_client.h"

using namespace fluxcpp;
using namespace fluxcpp::kustomize_controller;

namespace {

object::Value Parse(const std::string& json) { return *object::ParseJson(json); }

object::Value ConfigMap(const std::string& data) {
  return Parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"remote","namespace":"apps"},"data":)" +
      data + "}");
}

object::Value RemoteKustomization(
    const std::string& kubeconfig = R"({"configMapRef":{"name":"remote"}})") {
  return Parse(R"({"apiVersion":"kustomize.toolkit.fluxcd.io/v1","kind":"Kustomization",
                   "metadata":{"name":"app","namespace":"apps"},"spec":{"kubeConfig":)" +
               kubeconfig + "}}");
}

constexpr const char* kCa = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

// Answers TokenRequests for existing service accounts, as kube-apiserver.
class TokenServingClient : public runtime::testing::FakeClient {
 public:
  absl::StatusOr<object::Value> CreateSubresource(const kube::GroupVersionKind& gvk,
                                                  const std::string& ns, const std::string& name,
                                                  const std::string& subresource,
                                                  const object::Value& body) override {
    if (gvk.kind != "ServiceAccount" || subresource != "token")
      return absl::UnimplementedError("unexpected");
    auto sa = Get(gvk, ns, name);
    if (!sa.ok()) return sa.status();
    ++token_requests;
    last_request = body;
    last_subject = ns + "/" + name;
    object::Value out = body;
    out["status"] = {
        {"token", "minted-" + std::to_string(token_requests)},
        {"expirationTimestamp",
         absl::FormatTime(absl::RFC3339_sec, absl::Now() + absl::Hours(1), absl::UTCTimeZone())}};
    return out;
  }
  int token_requests = 0;
  object::Value last_request;
  std::string last_subject;
};

}  // namespace

TEST_CASE("configMapRef: the ConfigMap is validated naming the key and provider", "[unit]") {
  auto no_provider =
      ParseWorkloadIdentityConfig(ConfigMap(R"({"address":"https://x"})"), "apps/remote", "");
  REQUIRE_FALSE(no_provider.ok());
  CHECK(std::string(no_provider.status().message()) ==
        "spec.kubeConfig.configMapRef: ConfigMap 'apps/remote' has no 'provider' key (one of aws, "
        "azure, gcp, generic)");

  for (const std::string provider : {"aws", "azure", "gcp"}) {
    auto cloud = ParseWorkloadIdentityConfig(
        ConfigMap(R"({"provider":")" + provider + R"(","cluster":"c"})"), "apps/remote", "");
    REQUIRE_FALSE(cloud.ok());
    CHECK(cloud.status().code() == absl::StatusCode::kUnimplemented);
    CHECK(absl::StrContains(cloud.status().message(),
                            "provider '" + provider + "' of ConfigMap 'apps/remote'"));
  }
  auto unknown =
      ParseWorkloadIdentityConfig(ConfigMap(R"({"provider":"oracle"})"), "apps/remote", "");
  REQUIRE_FALSE(unknown.ok());
  CHECK(absl::StrContains(unknown.status().message(), "unsupported provider 'oracle'"));

  auto no_address =
      ParseWorkloadIdentityConfig(ConfigMap(R"({"provider":"generic"})"), "apps/remote", "");
  REQUIRE_FALSE(no_address.ok());
  CHECK(absl::StrContains(no_address.status().message(),
                          "has no 'address' key, which provider 'generic' requires"));

  auto plain_http = ParseWorkloadIdentityConfig(
      ConfigMap(R"({"provider":"generic","address":"http://x:80"})"), "apps/remote", "");
  REQUIRE_FALSE(plain_http.ok());
  CHECK(absl::StrContains(plain_http.status().message(), "must use https"));

  auto bad_ca = ParseWorkloadIdentityConfig(
      ConfigMap(R"({"provider":"generic","address":"x:6443","ca.crt":"nope"})"), "apps/remote", "");
  REQUIRE_FALSE(bad_ca.ok());
  CHECK(absl::StrContains(bad_ca.status().message(), "key 'ca.crt' is not a PEM certificate"));
}

TEST_CASE("configMapRef: generic defaults (https, audience = address, default service account)",
          "[unit]") {
  auto minimal = ParseWorkloadIdentityConfig(
      ConfigMap(R"({"provider":"generic","address":"remote.example:6443"})"), "apps/remote",
      "fallback-sa");
  REQUIRE(minimal.ok());
  CHECK(minimal->address == "https://remote.example:6443");
  CHECK(minimal->audiences == std::vector<std::string>{"https://remote.example:6443"});
  CHECK(minimal->service_account == "fallback-sa");

  auto full = ParseWorkloadIdentityConfig(
      ConfigMap(R"({"provider":"generic","address":"https://r:6443","audiences":"a1\n\n a2 \n",
                    "serviceAccountName":"deployer"})"),
      "apps/remote", "fallback-sa");
  REQUIRE(full.ok());
  CHECK(full->audiences == std::vector<std::string>{"a1", "a2"});
  CHECK(full->service_account == "deployer");
}

TEST_CASE("spec.kubeConfig: exactly one of secretRef and configMapRef", "[unit]") {
  CHECK(ValidateKubeConfigRef(Parse(R"({"spec":{}})")).ok());
  CHECK(ValidateKubeConfigRef(RemoteKustomization()).ok());
  CHECK(ValidateKubeConfigRef(RemoteKustomization(R"({"secretRef":{"name":"kc"}})")).ok());
  absl::Status both = ValidateKubeConfigRef(
      RemoteKustomization(R"({"secretRef":{"name":"kc"},"configMapRef":{"name":"remote"}})"));
  CHECK(
      std::string(both.message()) ==
      "spec.kubeConfig: exactly one of secretRef or configMapRef must be specified (both are set)");
  absl::Status neither = ValidateKubeConfigRef(RemoteKustomization("{}"));
  CHECK(std::string(neither.message()) ==
        "spec.kubeConfig: exactly one of secretRef or configMapRef must be specified (neither is "
        "set)");
  absl::Status unnamed = ValidateKubeConfigRef(RemoteKustomization(R"({"configMapRef":{}})"));
  CHECK(std::string(unnamed.message()) == "spec.kubeConfig.configMapRef.name is required");
}

TEST_CASE(
    "configMapRef generic: a TokenRequest for the service account, bearer token and CA for the "
    "address",
    "[unit]") {
  TokenServingClient client;
  REQUIRE(
      client
          .Create(ConfigMap(std::string(R"({"provider":"generic","address":"https://127.0.0.1:7443",
      "audiences":"remote-cluster","serviceAccountName":"deployer","ca.crt":)") +
                            object::ToJson(kCa) + "}"))
          .ok());
  KustomizationOptions options;
  options.object_level_workload_identity = false;

  // The gate guards object-level service accounts.
  auto gated = WorkloadIdentityKubeconfig(client, RemoteKustomization(), options, nullptr);
  REQUIRE_FALSE(gated.ok());
  CHECK(absl::StrContains(gated.status().message(),
                          "ObjectLevelWorkloadIdentity feature gate is not enabled"));
  CHECK(client.token_requests == 0);

  options.object_level_workload_identity = true;
  auto missing_sa = WorkloadIdentityKubeconfig(client, RemoteKustomization(), options, nullptr);
  REQUIRE_FALSE(missing_sa.ok());
  CHECK(absl::StartsWith(
      missing_sa.status().message(),
      "spec.kubeConfig.configMapRef: failed to create kubernetes token for service account "
      "'apps/deployer': "));

  REQUIRE(
      client
          .Create(Parse(
              R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"deployer","namespace":"apps"}})"))
          .ok());
  TokenCache cache(10);
  auto config = WorkloadIdentityKubeconfig(client, RemoteKustomization(), options, &cache);
  REQUIRE(config.ok());
  CHECK(config->server == "https://127.0.0.1:7443");
  CHECK(config->ca_pem == kCa);
  CHECK(config->bearer_token == "minted-1");
  CHECK(client.last_subject == "apps/deployer");
  CHECK(client.last_request["spec"]["audiences"] == object::Value::array({"remote-cluster"}));
  // Cached: no second TokenRequest for the same account and audiences.
  auto again = WorkloadIdentityKubeconfig(client, RemoteKustomization(), options, &cache);
  REQUIRE(again.ok());
  CHECK(again->bearer_token == "minted-1");
  CHECK(client.token_requests == 1);
  // Without a cache every call mints.
  auto uncached = WorkloadIdentityKubeconfig(client, RemoteKustomization(), options, nullptr);
  REQUIRE(uncached.ok());
  CHECK(uncached->bearer_token == "minted-2");

  // Missing ConfigMap: named.
  auto missing = WorkloadIdentityKubeconfig(
      client, RemoteKustomization(R"({"configMapRef":{"name":"gone"}})"), options, nullptr);
  REQUIRE_FALSE(missing.ok());
  CHECK(absl::StartsWith(missing.status().message(),
                         "spec.kubeConfig.configMapRef: unable to read ConfigMap 'apps/gone': "));
}

TEST_CASE("configMapRef generic without a service account uses the controller's own", "[unit]") {
  TokenServingClient client;
  REQUIRE(client.Create(ConfigMap(R"({"provider":"generic","address":"https://r:6443"})")).ok());
  REQUIRE(
      client
          .Create(Parse(
              R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"kustomize-controller","namespace":"flux-system"}})"))
          .ok());
  KustomizationOptions options;
  char dir[] = "/tmp/wi-test-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  options.controller_token_file = std::string(dir) + "/token";

  auto no_file = WorkloadIdentityKubeconfig(client, RemoteKustomization(), options, nullptr);
  REQUIRE_FALSE(no_file.ok());
  CHECK(absl::StrContains(
      no_file.status().message(),
      "no service account for the controller: failed to read service account token file"));

  {
    std::ofstream out(options.controller_token_file);
    out << absl::WebSafeBase64Escape(R"({"alg":"RS256"})") << "."
        << absl::WebSafeBase64Escape(
               R"({"sub":"system:serviceaccount:flux-system:kustomize-controller"})")
        << ".sig\n";
  }
  auto config = WorkloadIdentityKubeconfig(client, RemoteKustomization(), options, nullptr);
  REQUIRE(config.ok());
  CHECK(client.last_subject == "flux-system/kustomize-controller");
  CHECK(client.last_request["spec"]["audiences"] == object::Value::array({"https://r:6443"}));
  unlink(options.controller_token_file.c_str());
  rmdir(dir);
}

TEST_CASE("TokenCache renews after half the lifetime and keeps at most max_size entries",
          "[unit]") {
  using namespace std::chrono;
  const auto t0 = system_clock::now();
  TokenCache cache(2);
  cache.Put("a", "ta", t0, t0 + hours(1));
  CHECK(cache.Get("a", t0 + minutes(29)) == "ta");
  CHECK(cache.Get("a", t0 + minutes(31)).empty());
  cache.Put("b", "tb", t0, t0 + hours(2));
  cache.Put("c", "tc", t0, t0 + hours(3));  // evicts "a", expiring first
  CHECK(cache.Get("a", t0).empty());
  CHECK(cache.Get("b", t0) == "tb");
  CHECK(cache.Get("c", t0) == "tc");
  TokenCache capped(10, std::chrono::minutes(10));
  capped.Put("a", "ta", t0, t0 + hours(1));
  CHECK(capped.Get("a", t0 + minutes(9)) == "ta");
  CHECK(capped.Get("a", t0 + minutes(11)).empty());
  TokenCache disabled(0);
  disabled.Put("a", "ta", t0, t0 + hours(1));
  CHECK(disabled.Get("a", t0).empty());
}
