#pragma once
// The client a Kustomization's objects are applied, health-checked and
// pruned with (spec §10.14): the controller's own, or a remote cluster's
// from spec.kubeConfig.secretRef or .configMapRef (workload_identity.h), impersonating
// system:serviceaccount:<ns>:<spec.serviceAccountName or
// --default-service-account> when set.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"
#include "services/kustomize-controller/kustomization_options.h"
#include "services/kustomize-controller/workload_identity.h"

namespace fluxcpp::kustomize_controller {

struct ApplierClient {
  std::unique_ptr<kube::Client> remote;        // spec.kubeConfig client, if any
  std::unique_ptr<kube::Client> impersonated;  // when a service account is used
  kube::Client* client = nullptr;              // what to use (never null on success)
  std::string service_account;                 // "" when not impersonating
  bool is_remote = false;
};

// spec.kubeConfig must set exactly one of secretRef and configMapRef (the
// CRD's rule, checked again because a server may not enforce it).
// InvalidArgument naming the field otherwise; OK without spec.kubeConfig.
absl::Status ValidateKubeConfigRef(const object::Value& kustomization);

// `base` (the controller's client) reads the kubeconfig Secret or ConfigMap
// and must outlive the result; `tokens` (may be null) caches workload-identity
// tokens. Errors name the field: "spec.kubeConfig...".
absl::StatusOr<ApplierClient> BuildApplierClient(kube::Client& base, const object::Value& kustomization,
                                                 const KustomizationOptions& options, TokenCache* tokens = nullptr);

}  // namespace fluxcpp::kustomize_controller
