#pragma once
// kustomize's PrefixTransformer / SuffixTransformer: prepend (append) to
// metadata.name (and any configured name field), except for CRDs, APIServices
// and Namespaces; records the affix for name-reference matching.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/res_map.h"

namespace fluxcpp::kustomize {

absl::Status TransformPrefix(ResMap& m, const std::string& prefix, const std::vector<FieldSpec>& field_specs);
absl::Status TransformSuffix(ResMap& m, const std::string& suffix, const std::vector<FieldSpec>& field_specs);

}  // namespace fluxcpp::kustomize
