#pragma once
// kustomize's LabelTransformer and AnnotationsTransformer: add key/value pairs
// to the map at every field spec (metadata, selectors, templates) that selects
// the resource, creating the map where the spec says so.

#include <vector>

#include "absl/status/status.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/res_map.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// `pairs` is a string map (values are written as strings).
absl::Status AddMapEntries(ResMap& m, const object::Value& pairs, const std::vector<FieldSpec>& field_specs);

// The field specs one `labels:` entry applies to (includeSelectors,
// includeTemplates, fields), given the transformer configuration.
absl::StatusOr<std::vector<FieldSpec>> LabelEntryFieldSpecs(const object::Value& entry, const TransformerConfig& tc);

}  // namespace fluxcpp::kustomize
