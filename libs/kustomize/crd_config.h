#pragma once
// kustomize's `crds:` field: OpenAPI definition files (JSON or YAML maps of
// type name -> {Schema, Dependencies}) whose kubernetes-looking types
// (properties kind, apiVersion and metadata) extend the transformer
// configuration through property extensions:
//   x-kubernetes-annotation      -> commonAnnotations field spec
//   x-kubernetes-label-selector  -> commonLabels field spec
//   x-kubernetes-identity        -> namePrefix field spec
//   x-kubernetes-object-ref-api-version + -kind (+ -name-key, default "name")
//                                -> nameReference to that version/kind
// Field paths follow "$ref"s into other definitions of the same file; the
// referring kind is the type name's last "."-separated part.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/file_loader.h"

namespace fluxcpp::kustomize {

absl::StatusOr<TransformerConfig> LoadConfigFromCrds(const FileLoader& ldr, const std::vector<std::string>& paths);

}  // namespace fluxcpp::kustomize
