#pragma once
// Output ordering: kustomize's "legacy" order (Namespaces, quotas, storage
// classes, CRDs, service accounts, RBAC, ConfigMaps/Secrets, Services, ...,
// workloads; webhook configurations last; then by gvk and namespace/name) and
// the kustomization's `sortOptions` (order: fifo|legacy, legacySortOptions).

#include "absl/status/status.h"
#include "libs/kustomize/res_map.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Sorts in the default legacy order.
void LegacySort(ResMap& m);

// Applies a kustomization's `sortOptions` value (validated as kustomize does).
absl::Status ApplySortOptions(ResMap& m, const object::Value& sort_options);

}  // namespace fluxcpp::kustomize
