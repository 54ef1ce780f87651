#include "tools/dev-apiserver/token_request.h"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/api_server.h"
#include "tools/dev-apiserver/authenticator.h"

using namespace fluxcpp::devapiserver;
using fluxcpp::object::Value;
namespace object = fluxcpp::object;

namespace {

constexpr int64_t kNow = 1'800'000'000;

ServiceAccountTokens Tokens(const std::string& key, std::vector<std::string> audiences = {}) {
  ServiceAccountTokenOptions options;
  options.signing_key = key;
  options.api_audiences = std::move(audiences);
  return ServiceAccountTokens(options);
}

Value ServiceAccount(const std::string& ns, const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "ServiceAccount"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "uid-1"}}}};
}

}  // namespace

TEST_CASE("service-account tokens: issued tokens authenticate as the service account", "[unit]") {
  auto tokens = Tokens("k1", {"remote"});
  std::string token = tokens.Issue("apps", "deployer", "uid-1", {"remote"}, 3600, kNow);
  REQUIRE(std::vector<std::string>(absl::StrSplit(token, '.')).size() == 3);
  auto user = tokens.Authenticate(token, kNow + 10);
  REQUIRE(user.has_value());
  REQUIRE(user->ok());
  CHECK((*user)->name == "system:serviceaccount:apps:deployer");
  CHECK((*user)->uid == "uid-1");
  CHECK((*user)->InGroup("system:serviceaccounts"));
  CHECK((*user)->InGroup("system:serviceaccounts:apps"));
  CHECK((*user)->InGroup(kSystemAuthenticated));
}

TEST_CASE("service-account tokens: rejected when expired, for another audience, or tampered",
          "[unit]") {
  auto tokens = Tokens("k1", {"remote"});
  std::string token = tokens.Issue("apps", "deployer", "uid-1", {"remote"}, 600, kNow);
  auto expired = tokens.Authenticate(token, kNow + 600);
  REQUIRE(expired.has_value());
  CHECK(HttpCodeOf(expired->status()) == 401);
  auto early = tokens.Authenticate(token, kNow - 5);
  REQUIRE(early.has_value());
  CHECK(HttpCodeOf(early->status()) == 401);

  std::string other_audience = tokens.Issue("apps", "deployer", "uid-1", {"elsewhere"}, 3600, kNow);
  auto wrong = tokens.Authenticate(other_audience, kNow);
  REQUIRE(wrong.has_value());
  CHECK(HttpCodeOf(wrong->status()) == 401);

  // Signed with another key: not ours (another authenticator may know it).
  CHECK_FALSE(Tokens("k2", {"remote"}).Authenticate(token, kNow).has_value());
  // Claims changed after signing.
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string forged = tokens.Issue("kube-system", "admin", "", {"remote"}, 3600, kNow);
  std::vector<std::string> forged_parts = absl::StrSplit(forged, '.');
  CHECK_FALSE(tokens.Authenticate(absl::StrCat(parts[0], ".", forged_parts[1], ".", parts[2]), kNow)
                  .has_value());
  CHECK_FALSE(tokens.Authenticate("not-a-jwt", kNow).has_value());

  // Another issuer with the same key.
  ServiceAccountTokenOptions options;
  options.signing_key = "k1";
  options.issuer = "https://other.example";
  options.api_audiences = {"remote"};
  auto other_issuer = ServiceAccountTokens(options).Authenticate(token, kNow);
  REQUIRE(other_issuer.has_value());
  CHECK(HttpCodeOf(other_issuer->status()) == 401);
}

TEST_CASE("service-account tokens: servers sharing the key trust each other's tokens", "[unit]") {
  auto local = Tokens("shared");  // audiences default to the issuer
  auto remote = Tokens("shared", {"https://remote:6443"});
  std::string for_remote = local.Issue("apps", "deployer", "", {"https://remote:6443"}, 3600, kNow);
  auto user = remote.Authenticate(for_remote, kNow);
  REQUIRE(user.has_value());
  REQUIRE(user->ok());
  CHECK((*user)->name == "system:serviceaccount:apps:deployer");
  // A token for the local cluster's own audience is no good remotely.
  std::string for_local = local.Issue("apps", "deployer", "", {}, 3600, kNow);
  REQUIRE(local.Authenticate(for_local, kNow)->ok());
  CHECK_FALSE(remote.Authenticate(for_local, kNow)->ok());
}

TEST_CASE("TokenRequest answers: defaults and validation", "[unit]") {
  auto tokens = Tokens("k1");
  Value request = {{"apiVersion", "authentication.k8s.io/v1"},
                   {"kind", "TokenRequest"},
                   {"spec", Value::object()}};
  auto answer = tokens.Answer(ServiceAccount("apps", "deployer"), request, kNow);
  REQUIRE(answer.ok());
  CHECK(object::GetInt(*answer, {"spec", "expirationSeconds"}) == 3600);
  CHECK((*answer)["spec"]["audiences"] == Value::array({kDefaultServiceAccountIssuer}));
  CHECK(object::GetString(*answer, {"status", "expirationTimestamp"}) == "2027-01-15T09:00:00Z");
  auto user = tokens.Authenticate(object::GetString(*answer, {"status", "token"}), kNow + 3599);
  REQUIRE(user.has_value());
  REQUIRE(user->ok());
  CHECK((*user)->name == "system:serviceaccount:apps:deployer");

  request["spec"]["expirationSeconds"] = 60;
  auto too_short = tokens.Answer(ServiceAccount("apps", "deployer"), request, kNow);
  REQUIRE_FALSE(too_short.ok());
  CHECK(HttpCodeOf(too_short.status()) == 422);
  CHECK(std::string(too_short.status().message())
            .find("may not specify a duration less than 10 minutes") != std::string::npos);
}

TEST_CASE("TokenRequest over HTTP: minted token accepted by the RBAC authenticator", "[unit]") {
  auto store = Store::Open({});
  REQUIRE(store.ok());
  ResourceRegistry registry;
  ObjectService service(**store, registry);
  REQUIRE(service.Bootstrap().ok());
  ServiceAccountTokens tokens = Tokens("k1");
  AuthenticatorOptions auth_options;
  auth_options.admin_token = "admin-token";
  auth_options.reject_unknown_tokens = true;
  auth_options.service_account_tokens = &tokens;
  auto authenticator = Authenticator::Create(auth_options);
  REQUIRE(authenticator.ok());
  AlwaysAllowAuthorizer allow;
  ApiServerOptions options;
  options.authenticator = authenticator->get();
  options.authorizer = &allow;
  options.service_account_tokens = &tokens;
  ApiServer api(options, service);
  auto port = api.Bind();
  REQUIRE(port.ok());
  std::thread serving([&] { (void)api.Serve(); });

  httplib::Client client("127.0.0.1", *port);
  httplib::Headers admin = {{"Authorization", "Bearer admin-token"}};
  const std::string token_path = "/api/v1/namespaces/default/serviceaccounts/deployer/token";
  const std::string body =
      R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"audiences":["a1"]}})";
  auto missing = client.Post(token_path, admin, body, "application/json");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->body.find(R"(serviceaccounts \"deployer\" not found)") != std::string::npos);

  auto created =
      client.Post("/api/v1/namespaces/default/serviceaccounts", admin,
                  R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"deployer"}})",
                  "application/json");
  REQUIRE(created);
  REQUIRE(created->status == 201);
  auto minted = client.Post(token_path, admin, body, "application/json");
  REQUIRE(minted);
  REQUIRE(minted->status == 201);
  auto answer = object::ParseJson(minted->body);
  REQUIRE(answer.ok());
  const std::string token = object::GetString(*answer, {"status", "token"});
  REQUIRE_FALSE(token.empty());

  // The token's audience is a1, which this server (audience = issuer) does not accept.
  auto review = R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"})";
  auto rejected = client.Post("/apis/authentication.k8s.io/v1/selfsubjectreviews",
                              httplib::Headers{{"Authorization", "Bearer " + token}}, review,
                              "application/json");
  REQUIRE(rejected);
  CHECK(rejected->status == 401);

  // Default audiences: accepted here as the service account.
  auto own =
      client.Post(token_path, admin, R"({"kind":"TokenRequest","spec":{}})", "application/json");
  REQUIRE(own);
  REQUIRE(own->status == 201);
  const std::string own_token =
      object::GetString(*object::ParseJson(own->body), {"status", "token"});
  auto who = client.Post("/apis/authentication.k8s.io/v1/selfsubjectreviews",
                         httplib::Headers{{"Authorization", "Bearer " + own_token}}, review,
                         "application/json");
  REQUIRE(who);
  REQUIRE(who->status == 201);
  auto who_json = object::ParseJson(who->body);
  REQUIRE(who_json.ok());
  CHECK(object::GetString(*who_json, {"status", "userInfo", "username"}) ==
        "system:serviceaccount:default:deployer");

  api.Stop();
  serving.join();
}
