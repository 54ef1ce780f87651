#pragma once
// Reading YAML the way kustomize (kyaml, go-yaml v3) reads it: multi-document
// streams, go-yaml v3 scalar resolution (yaml.h's ResolvePlainV3), anchors and
// "<<" merge keys, and an error on duplicate mapping keys
// ("mapping key \"x\" already defined at line N").
//
//   FLUX_ASSIGN_OR_RETURN(std::vector<object::Value> docs, kustomize::ReadYamlDocuments(text));

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Every non-null document of the stream, in order. Errors are InvalidArgument
// with go-yaml's "yaml: line N: ..." shape.
absl::StatusOr<std::vector<object::Value>> ReadYamlDocuments(std::string_view text, bool allow_duplicate_keys = false);

// The first document; null for an empty input. Kustomization files are read
// with `allow_duplicate_keys` (sigs.k8s.io/yaml lets the last one win).
absl::StatusOr<object::Value> ReadYaml(std::string_view text, bool allow_duplicate_keys = false);

}  // namespace fluxcpp::kustomize
