#pragma once
// The ordered resource list of a build and kustomize's id rules over it.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kustomize/resource.h"

namespace fluxcpp::kustomize {

using ResMap = std::vector<Resource>;

// Appends `r`, refusing a second resource with the same current id
// ("may not add resource with an already registered id: ...").
absl::Status AppendResource(ResMap& m, Resource r);
absl::Status AppendAll(ResMap& m, ResMap more);

// Parses a YAML stream into resources the way kustomize's resource factory
// does: empty documents dropped, "*List" kinds with items inlined (their items
// go to the end of the stream), every document must be a map.
absl::StatusOr<ResMap> ResourcesFromBytes(std::string_view text);

}  // namespace fluxcpp::kustomize
