#pragma once
// Flux's kustomization.yaml generator (fluxcd/pkg/kustomize), used by
// kustomize-controller and `flux build` before a kustomize build:
//   1. if `dir` has no kustomization file, one is generated listing every
//      *.yaml / *.yml below `dir` (walked in lexical order) that decodes as
//      Kubernetes YAML; a sub-directory with its own kustomization file is
//      listed as a directory and not descended into. No resources at all ->
//      `namespace: _placeholder` (kustomize refuses an empty kustomization);
//   2. the Kustomization spec is overlaid: namespace <- targetNamespace,
//      namePrefix/nameSuffix, patches appended, components appended (missing
//      ones dropped with ignoreMissingComponents), images merged by name,
//      buildMetadata set when given.
// commonMetadata is not part of the file: Flux applies it to the built
// objects, see ApplyCommonMetadata.
//
//   kustomize::FluxOverlay overlay;
//   overlay.target_namespace = "apps";
//   FLUX_ASSIGN_OR_RETURN(std::string file, kustomize::GenerateFluxKustomization(dir, overlay));

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

struct FluxOverlay {
  std::string target_namespace, name_prefix, name_suffix;
  std::vector<object::Value> patches;  // {patch: string, target: {group, version, kind, name, namespace, labelSelector, annotationSelector}}
  std::vector<object::Value> images;   // {name, newName, newTag, digest}
  std::vector<std::string> components;
  bool ignore_missing_components = false;
  std::vector<std::string> build_metadata;
  std::map<std::string, std::string> common_labels, common_annotations;  // spec.commonMetadata
};

// Generates (if needed) and overlays the kustomization file of `dir`; returns
// the path of the file written. Errors name the file:
// "failed to decode Kubernetes YAML from <file>: ...".
absl::StatusOr<std::string> GenerateFluxKustomization(const std::string& dir, const FluxOverlay& overlay);

// spec.commonMetadata: sets the labels and annotations on every object's
// metadata (overriding existing keys), as kustomize-controller does after the build.
void ApplyCommonMetadata(std::vector<object::Value>& objects, const FluxOverlay& overlay);

}  // namespace fluxcpp::kustomize
