#pragma once
// Writes the kubeconfig clients use to reach this server: cluster "dev"
// (server URL, plus the CA when serving TLS), user "admin" with a bearer
// token, context "dev", current-context "dev" (plus "admin-cert"/"dev-cert"
// with a client certificate when serving TLS). Written atomically (temp
// file + rename) so a waiting client never reads half a file.

#include <string>

#include "absl/status/status.h"

namespace fluxcpp::devapiserver {

struct KubeconfigOptions {
  std::string server;      // "http://127.0.0.1:6443"
  std::string token;       // bearer token of user admin
  std::string ca_pem;      // empty for plain HTTP
  // When set: user "admin-cert" authenticating with this client certificate,
  // and context "dev-cert" using it.
  std::string client_cert_pem;
  std::string client_key_pem;
};

std::string RenderKubeconfig(const KubeconfigOptions& options);
absl::Status WriteKubeconfig(const std::string& path, const KubeconfigOptions& options);

}  // namespace fluxcpp::devapiserver
