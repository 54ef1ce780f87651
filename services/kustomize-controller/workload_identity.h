#pragma once
// Secret-less access to a remote cluster through spec.kubeConfig.configMapRef
// (spec §10.2 KubeConfigReference, §10.14). The ConfigMap, in the
// Kustomization's namespace, holds `provider` (aws | azure | gcp | generic,
// required), `cluster`, `address`, `ca.crt`, `audiences` (one per line) and
// `serviceAccountName`.
//
// Provider `generic` (Kubernetes OIDC between clusters): a token for the
// service account is requested from this cluster's TokenRequest API
// (POST serviceaccounts/<sa>/token) with the audiences (default: the
// address), and the remote API server at `address` (https) is called with
// it as bearer token, trusting `ca.crt` when given. The service account is
// the ConfigMap's `serviceAccountName`, else --default-kubeconfig-service-account
// (both in the Kustomization's namespace; both need the
// ObjectLevelWorkloadIdentity feature gate), else the controller's own, named
// by the subject of its projected token file.
//
// Providers aws, azure and gcp exchange that token at their cloud's STS and
// read the cluster from the cloud's API; neither exists here, so they fail
// with a message naming the provider.
//
// Tokens never appear in errors or logs.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/kube/client.h"
#include "libs/kube/config.h"
#include "libs/object/value.h"
#include "services/kustomize-controller/kustomization_options.h"

namespace fluxcpp::kustomize_controller {

// The ConfigMap's settings, validated.
struct WorkloadIdentityConfig {
  std::string provider;
  std::string cluster;
  std::string address;  // normalised to https://host[:port][/path]
  std::string ca_pem;
  std::vector<std::string> audiences;  // never empty for generic
  std::string service_account;         // "" = the controller's own
};

// Validates `configmap` (named `ref` = "<ns>/<name>" in errors) for a
// Kustomization; `default_service_account` is --default-kubeconfig-service-account.
// InvalidArgument for missing/unknown keys, Unimplemented for cloud providers.
absl::StatusOr<WorkloadIdentityConfig> ParseWorkloadIdentityConfig(
    const object::Value& configmap, const std::string& ref,
    const std::string& default_service_account);

// Bearer tokens by (namespace, service account, audiences), reused until half
// of their lifetime has passed, and never longer than `max_duration`
// (--token-cache-max-duration). At most `max_size` entries (0 disables).
// Thread-safe.
class TokenCache {
 public:
  explicit TokenCache(size_t max_size, std::chrono::seconds max_duration = std::chrono::hours(1))
      : max_size_(max_size), max_duration_(max_duration) {}
  // "" when absent or due for renewal.
  std::string Get(const std::string& key, std::chrono::system_clock::time_point now) const;
  void Put(const std::string& key, std::string token, std::chrono::system_clock::time_point issued,
           std::chrono::system_clock::time_point expires);

 private:
  struct Entry {
    std::string token;
    std::chrono::system_clock::time_point renew_at;
    std::chrono::system_clock::time_point expires;
  };
  size_t max_size_;
  std::chrono::seconds max_duration_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

// The kube::Config reaching the remote cluster of `kustomization`'s
// spec.kubeConfig.configMapRef. `base` reads the ConfigMap and requests the
// token; `cache` may be null. Errors start with "spec.kubeConfig.configMapRef".
absl::StatusOr<kube::Config> WorkloadIdentityKubeconfig(kube::Client& base,
                                                        const object::Value& kustomization,
                                                        const KustomizationOptions& options,
                                                        TokenCache* cache);

}  // namespace fluxcpp::kustomize_controller
