#pragma once
// kustomize's NamespaceTransformer: sets metadata.namespace on every
// namespaced resource, renames a v1 Namespace object to the target, sets the
// namespace of (Cluster)RoleBinding subjects (by default only those named
// "default"), plus the data-driven field specs (APIService, CRD webhooks, ...).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/res_map.h"

namespace fluxcpp::kustomize {

enum class RoleBindingSubjects { kDefaultOnly, kAllServiceAccounts, kNone };

struct NamespaceOptions {
  std::string ns;
  std::vector<FieldSpec> field_specs;
  bool unset_only = false;
  RoleBindingSubjects subjects = RoleBindingSubjects::kDefaultOnly;
};

absl::Status TransformNamespace(ResMap& m, const NamespaceOptions& options);

}  // namespace fluxcpp::kustomize
