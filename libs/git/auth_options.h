#pragma once
// Credentials and TLS settings for a remote (GitRepository secretRef keys,
// spec §3.2). Values are secrets: never log or embed them in messages.

#include <string>

namespace fluxcpp::git {

struct AuthOptions {
  // HTTP(S) basic auth (for tokens: any username, token as password).
  std::string username;
  std::string password;
  // HTTP(S) bearer token; mutually exclusive with username/password.
  std::string bearer_token;
  // Extra PEM CA certificate(s) trusted for HTTPS, on top of the system store.
  std::string ca_pem;

  bool has_basic() const { return !username.empty() || !password.empty(); }
  bool empty() const { return !has_basic() && bearer_token.empty() && ca_pem.empty(); }
};

}  // namespace fluxcpp::git
