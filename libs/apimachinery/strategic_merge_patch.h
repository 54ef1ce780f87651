#pragma once
// Strategic merge patch (`application/strategic-merge-patch+json`) for the
// built-in Kubernetes kinds, without Go struct metadata: list merge keys come
// from a fixed table of well-known field names (see MergeKeyFor).
//
// Supported: recursive map merge, null deletes, lists of maps merged by key
// (containers/initContainers/ephemeralContainers/volumes/env/imagePullSecrets/
// secrets by `name`, volumeMounts by `mountPath`, volumeDevices by
// `devicePath`, ports by `containerPort` (or `port` for Service ports),
// hostAliases by `ip`, conditions by `type`, ownerReferences by `uid`,
// topologySpreadConstraints by `topologyKey`), `finalizers` merged as a set,
// and the directives `$patch: replace|delete|merge`, `$retainKeys`,
// `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`.
// Every other list is replaced whole, as for lists marked atomic/replace.
// Not supported: per-type metadata beyond that table (e.g. a field that is
// merge-keyed in one kind and atomic in another with the same name).
//
// Pure functions; thread-compatible.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

// The merge key for the list field `field` whose elements look like
// `sample` (first element of the patch or original list), or "" when the
// list is replaced atomically. "*" means a set of primitives (union).
std::string MergeKeyFor(std::string_view field, const object::Value& sample);

// Applies `patch` to `original`. InvalidArgument for malformed directives.
absl::StatusOr<object::Value> ApplyStrategicMergePatch(const object::Value& original, const object::Value& patch);

}  // namespace fluxcpp::apimachinery
