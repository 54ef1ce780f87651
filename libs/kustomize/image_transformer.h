#pragma once
// kustomize's ImageTagTransformer: rewrites container images matching
// `name` (a regular expression anchored at the start, optionally followed by a
// tag and/or sha256 digest) with newName / newTag / digest / tagSuffix. Looks
// in every containers/initContainers list of every object (except CRDs) and at
// the configured image field specs.

#include <vector>

#include "absl/status/status.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/res_map.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

absl::Status TransformImage(ResMap& m, const object::Value& image, const std::vector<FieldSpec>& field_specs);

// image.Split: "repo/name:tag@digest" -> name, tag, digest.
void SplitImage(const std::string& image, std::string* name, std::string* tag, std::string* digest);

}  // namespace fluxcpp::kustomize
