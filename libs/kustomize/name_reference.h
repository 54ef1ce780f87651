#pragma once
// kustomize's name-reference fixing: after renames (prefix/suffix, hash
// suffixes, namespace moves), every field known to refer to another object by
// name (Deployment -> ConfigMap volume, RoleBinding -> Role, ...) is updated to
// the referred object's new name, choosing among candidates the way kustomize
// does (previous names, gvk, namespace, then matching prefixes/suffixes).

#include "absl/status/status.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/res_map.h"

namespace fluxcpp::kustomize {

absl::Status FixNameReferences(ResMap& m, const std::vector<NameBackReference>& back_refs);

}  // namespace fluxcpp::kustomize
