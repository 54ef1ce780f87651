#pragma once
// Credentials, TLS and proxy settings for a remote (GitRepository secretRef
// and proxySecretRef keys, spec §3.1–3.2). Values are secrets: never log them
// or embed them in messages.

#include <string>

namespace fluxcpp::git {

struct ProxyOptions {
  // http://, https://, socks5:// or socks5h:// proxy URL (SOCKS5 is done by
  // our socket stream, socks5.h). Empty: honour HTTPS_PROXY / HTTP_PROXY
  // (and ALL_PROXY with socks5 for ssh://, git://) like Flux's transports.
  std::string address;
  std::string username;
  std::string password;

  bool empty() const { return address.empty(); }
};

struct AuthOptions {
  // HTTP(S) basic auth (for tokens: any username, token as password). For
  // SSH, `password` is the passphrase of `ssh_identity`.
  std::string username;
  std::string password;
  // HTTP(S) bearer token; mutually exclusive with username/password.
  std::string bearer_token;
  // Extra PEM CA certificate(s) trusted for HTTPS, on top of the system store.
  std::string ca_pem;
  // Client TLS certificate and key (PEM), presented to https servers
  // (tls_stream.h); both or neither.
  std::string tls_cert_pem;
  std::string tls_key_pem;
  // SSH private key (PEM or OpenSSH format), its public key (optional) and
  // known_hosts lines the server's host key must match. With an ssh:// URL an
  // empty `known_hosts` refuses every host key.
  std::string ssh_identity;
  std::string ssh_identity_pub;
  std::string known_hosts;
  ProxyOptions proxy;

  bool has_basic() const { return !username.empty() || !password.empty(); }
  bool empty() const {
    return !has_basic() && bearer_token.empty() && ca_pem.empty() && tls_cert_pem.empty() &&
           ssh_identity.empty() && known_hosts.empty() && proxy.empty();
  }
};

}  // namespace fluxcpp::git
