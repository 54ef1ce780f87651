#pragma once
// How to reach and authenticate to a Kubernetes API server.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::kube {

class ExecCredentialSource;

struct Config {
  std::string server;  // "https://127.0.0.1:6443" or "http://127.0.0.1:8080"
  // TLS
  std::string ca_pem;           // CA bundle (PEM text); empty = system roots
  std::string client_cert_pem;  // client certificate (PEM text)
  std::string client_key_pem;   // client key (PEM text); never logged
  bool insecure_skip_tls_verify = false;
  // Credentials (never logged)
  std::string bearer_token;
  // When set, the token is (re-)read from this file about once a minute, as
  // client-go does for projected service-account tokens; bearer_token is the
  // value read at load time and the fallback when the file cannot be read.
  std::string bearer_token_file;
  std::string username;
  std::string password;
  // Set when the user's credential comes from an exec plugin: the transport
  // asks it for the current credential (re-running the plugin once it expires
  // or after a 401); bearer_token / client_*_pem hold the one fetched at load.
  std::shared_ptr<ExecCredentialSource> exec_credentials;
  // Impersonation (Impersonate-User / Impersonate-Group headers)
  std::string impersonate_user;
  std::vector<std::string> impersonate_groups;
  // Client-side rate limit (token bucket); <= 0 disables.
  double qps = 50;
  int burst = 300;
  std::string user_agent = "fluxcpp";
  // The namespace of the chosen kubeconfig context (or the in-cluster
  // service account's namespace); "" when not set. Informational: the client
  // never applies it implicitly.
  std::string default_namespace;
};

struct LoadOptions {
  std::string kubeconfig_path;  // --kubeconfig; empty = $KUBECONFIG (merged list), then in-cluster, then ~/.kube/config
  std::string context;          // empty = current-context
  bool allow_exec = false;      // --insecure-kubeconfig-exec; exec plugins refused otherwise
  // ParseKubeconfig only: the folder relative file references resolve
  // against (empty = the working directory).
  std::string base_dir;
};

// Loads a kubeconfig file (or in-cluster service-account config) into a Config.
absl::StatusOr<Config> LoadConfig(const LoadOptions& options);

// Parses kubeconfig YAML text (e.g. from a Secret for spec.kubeConfig).
absl::StatusOr<Config> ParseKubeconfig(std::string_view yaml_text, const LoadOptions& options);

// The in-cluster config: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
// with the service account's token (re-read as it rotates), CA and namespace
// from `service_account_dir`. FailedPrecondition when not in a cluster.
absl::StatusOr<Config> InClusterConfig(
    const std::string& service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

}  // namespace fluxcpp::kube
