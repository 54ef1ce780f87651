#pragma once
// The client a Kustomization's objects are applied, health-checked and
// pruned with (spec §10.14): the controller's own, or a remote cluster's
// from spec.kubeConfig.secretRef, impersonating
// system:serviceaccount:<ns>:<spec.serviceAccountName or
// --default-service-account> when set.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"
#include "services/kustomize-controller/kustomization_options.h"

namespace fluxcpp::kustomize_controller {

struct ApplierClient {
  std::unique_ptr<kube::Client> remote;        // spec.kubeConfig client, if any
  std::unique_ptr<kube::Client> impersonated;  // when a service account is used
  kube::Client* client = nullptr;              // what to use (never null on success)
  std::string service_account;                 // "" when not impersonating
  bool is_remote = false;
};

// `base` (the controller's client) reads the kubeconfig Secret and must
// outlive the result. Errors name the field: "spec.kubeConfig...".
absl::StatusOr<ApplierClient> BuildApplierClient(kube::Client& base, const object::Value& kustomization,
                                                 const KustomizationOptions& options);

}  // namespace fluxcpp::kustomize_controller
