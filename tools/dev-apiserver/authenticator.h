#pragma once
// Authentication of API requests, as kube-apiserver's authenticators:
//   - bearer tokens: the admin token (user "admin", groups system:masters and
//     system:authenticated) and a --token-auth-file CSV in kube's format
//     `token,user,uid,"group1,group2"` (groups optional);
//   - client certificates verified against the server's CA during the TLS
//     handshake: CN is the user, each O a group;
//   - no credentials: system:anonymous in system:unauthenticated.
// An unknown bearer token is 401 Unauthorized when `reject_unknown_tokens`
// (RBAC mode); otherwise it is treated as anonymous, so AlwaysAllow servers
// keep accepting clients holding an older kubeconfig.
//
// Immutable after Create; thread-safe.

#include <map>
#include <memory>
#include <string>

#include <openssl/ssl.h>

#include "absl/status/statusor.h"
#include "tools/dev-apiserver/token_request.h"
#include "tools/dev-apiserver/user_info.h"

namespace fluxcpp::devapiserver {

struct AuthenticatorOptions {
  std::string admin_token;
  std::string token_auth_file;  // "" for none
  bool reject_unknown_tokens = false;
  // Accepts the TokenRequest tokens it issued (token_request.h); not owned.
  const ServiceAccountTokens* service_account_tokens = nullptr;
};

class Authenticator {
 public:
  static absl::StatusOr<std::unique_ptr<Authenticator>> Create(const AuthenticatorOptions& options);

  // `authorization` is the Authorization header ("" when absent); `ssl` the
  // TLS connection (nullptr for plain HTTP). Unauthenticated (401) errors
  // carry kube's Status.
  absl::StatusOr<UserInfo> Authenticate(const std::string& authorization, const SSL* ssl) const;

  // Parses the token file format; exposed for tests.
  static absl::StatusOr<std::map<std::string, UserInfo>> ParseTokenFile(const std::string& text);

 private:
  Authenticator() = default;
  std::map<std::string, UserInfo> tokens_;
  bool reject_unknown_tokens_ = false;
  const ServiceAccountTokens* service_account_tokens_ = nullptr;
};

}  // namespace fluxcpp::devapiserver
