#pragma once
// Strategic merge patches as kustomize (kyaml merge2) applies them:
//   - maps merge recursively; a null value deletes the field;
//   - "$patch: delete" removes the map (or list element), "$patch: replace"
//     replaces it;
//   - lists whose field carries Kubernetes' patch strategy "merge" merge by
//     their merge keys (containers by name, ports by containerPort+protocol,
//     volumeMounts by mountPath, ...): original order kept, matched elements
//     merged in place, new ones appended; primitive merge lists (finalizers)
//     are unions; every other list is replaced.
// The merge keys of the built-in kinds are carried as data (merge_schema.cpp).

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Patches `target` (an object of group/version `api_version`, kind `kind`).
// Returns nullopt when the patch deletes the whole object.
absl::StatusOr<std::optional<object::Value>> StrategicMerge(const object::Value& target, const object::Value& patch);

}  // namespace fluxcpp::kustomize
