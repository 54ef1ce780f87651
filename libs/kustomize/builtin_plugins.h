#pragma once
// kustomize's builtin generator and transformer plugins configured from
// resources (the `generators:` / `transformers:` lists): a config is an object
// with `apiVersion: builtin` and a plugin kind, whose fields are those of the
// matching kustomization feature:
//
//   ConfigMapGenerator / SecretGenerator   the generator args (name and
//       namespace default to metadata's); kustomization generatorOptions do
//       not apply
//   PatchTransformer {path, patch, target, options}
//   PatchStrategicMergeTransformer {paths, patches}
//   PatchJson6902Transformer {target, path, jsonOp}
//   PrefixSuffixTransformer {prefix, suffix, fieldSpecs},
//   PrefixTransformer {prefix, fieldSpecs}, SuffixTransformer {suffix, fieldSpecs}
//   LabelTransformer {labels, fieldSpecs}, AnnotationsTransformer {annotations, fieldSpecs}
//   NamespaceTransformer {metadata.namespace, fieldSpecs, unsetOnly, setRoleBindingSubjects}
//   ImageTagTransformer {imageTag, fieldSpecs}, ReplicaCountTransformer {replica, fieldSpecs}
//   ReplacementTransformer {replacements}
//
// Files named in a config (patch paths, env files, ...) are read through the
// loader of the kustomization that lists the config. Other builtin kinds fail
// with "unable to load builtin <gvk>"; non-builtin configs fail because
// external plugins are disabled (as in kustomize's default build).

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kustomize/file_loader.h"
#include "libs/kustomize/res_map.h"

namespace fluxcpp::kustomize {

absl::StatusOr<ResMap> RunGeneratorPlugin(const FileLoader& ldr, const Resource& config);

absl::Status RunTransformerPlugin(ResMap& m, const FileLoader& ldr, const Resource& config);

}  // namespace fluxcpp::kustomize
