#pragma once
// From an extracted artifact to the objects to apply (spec §10.7): overlay
// the Kustomization spec onto kustomization.yaml (generated when missing),
// build with libs/kustomize, add commonMetadata, and check that every
// resource has apiVersion, kind and name. The work is
// kustomize::BuildFluxKustomization, shared with `fluxcpp build kustomization`.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize_controller {

// `dir` is the kustomization path inside `root` (the artifact directory).
// Remote bases and files are fetched unless `no_remote_bases` (Flux allows
// them by default; --no-remote-bases refuses them).
// Errors are BuildFailed messages ("kustomize build failed: ...").
absl::StatusOr<std::vector<object::Value>> BuildManifests(const std::string& root, const std::string& dir,
                                                          const object::Value& kustomization, bool no_remote_bases);

}  // namespace fluxcpp::kustomize_controller
