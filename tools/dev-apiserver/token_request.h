#pragma once
// Service-account tokens: the TokenRequest API
// (POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token,
// authentication.k8s.io/v1 TokenRequest) and the authentication of the
// tokens it issues, as user system:serviceaccount:<ns>:<name> in the groups
// system:serviceaccounts, system:serviceaccounts:<ns>, system:authenticated.
//
// Tokens are JWTs (kube's claims: iss, sub, aud, exp, iat, nbf and
// kubernetes.io.{namespace, serviceaccount.{name, uid}}) signed with
// HMAC-SHA256 under a key shared through --service-account-signing-key-file.
// A second server started with the same key file and an --api-audiences
// list naming the token's audience accepts them: this stands in for a
// remote cluster that trusts this cluster's OIDC issuer (what Flux's
// `generic` workload-identity provider relies on). A token is accepted only
// when its signature verifies, it has not expired, its issuer is ours and
// one of its audiences is one of the server's API audiences.
//
// Immutable after construction; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"
#include "tools/dev-apiserver/user_info.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace fluxcpp::devapiserver {

class ObjectService;

inline constexpr char kDefaultServiceAccountIssuer[] =
    "https://kubernetes.default.svc.cluster.local";

struct ServiceAccountTokenOptions {
  std::string signing_key;  // HMAC key bytes; must not be empty
  std::string issuer = kDefaultServiceAccountIssuer;
  std::vector<std::string> api_audiences;  // empty = {issuer}, as kube-apiserver
};

class ServiceAccountTokens {
 public:
  explicit ServiceAccountTokens(ServiceAccountTokenOptions options);

  // The key in `path`, created with 32 random bytes (mode 0600) when missing.
  static absl::StatusOr<std::string> LoadOrCreateKey(const std::string& path);
  // 32 random bytes (for servers without a key file).
  static std::string RandomKey();

  // A signed token valid from `now_unix` for `expiration_seconds`.
  // `audiences` empty = the API audiences.
  std::string Issue(const std::string& ns, const std::string& name, const std::string& uid,
                    const std::vector<std::string>& audiences, int64_t expiration_seconds,
                    int64_t now_unix) const;

  // nullopt when `token` is not a JWT signed with our key (another
  // authenticator may know it); 401 Unauthorized when it is ours but expired,
  // not yet valid, from another issuer or for none of our audiences.
  std::optional<absl::StatusOr<UserInfo>> Authenticate(const std::string& token,
                                                       int64_t now_unix) const;

  // Answers a TokenRequest `request` for the existing `service_account`
  // object: the TokenRequest with status.token and
  // status.expirationTimestamp. expirationSeconds defaults to 3600 and must
  // be at least 600 (kube's rule), else 422 Invalid.
  absl::StatusOr<object::Value> Answer(const object::Value& service_account,
                                       const object::Value& request, int64_t now_unix) const;

  const std::vector<std::string>& api_audiences() const { return options_.api_audiences; }

 private:
  std::string Sign(const std::string& signing_input) const;
  ServiceAccountTokenOptions options_;
};

// The HTTP handler for POST .../serviceaccounts/<name>/token: reads the
// service account through `service` (404 when missing), parses the body and
// writes the answer (201) or kube's error. `tokens` null: 404, the
// subresource is not served.
void ServeTokenRequest(const ServiceAccountTokens* tokens, ObjectService& service,
                       const httplib::Request& req, httplib::Response& res, const std::string& ns,
                       const std::string& name);

}  // namespace fluxcpp::devapiserver
