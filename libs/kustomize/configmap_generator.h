#pragma once
// configMapGenerator / secretGenerator: builds ConfigMaps and Secrets from
// env files, literals and files (in that order), applies generatorOptions
// (labels, annotations, immutable, disableNameSuffixHash) and merges the
// result into the accumulated resources by `behavior` (create|merge|replace).

#include "absl/status/statusor.h"
#include "libs/kustomize/file_loader.h"
#include "libs/kustomize/res_map.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// One generator entry; `global_options` is the kustomization's
// generatorOptions (may be null). Local options win over global ones.
absl::StatusOr<Resource> GenerateConfigMapOrSecret(const FileLoader& ldr, const object::Value& args,
                                                   const object::Value* global_options, bool secret);

// Adds generated resources to `m`: "create" appends (an id clash is an error),
// "merge" merges data and metadata into the existing resource, "replace"
// replaces it keeping its name, namespace and name history.
absl::Status AbsorbGenerated(ResMap& m, ResMap generated);

}  // namespace fluxcpp::kustomize
