#pragma once
// Flux's build of one Kustomization (kustomize-controller and `flux build
// kustomization`): overlay the Kustomization spec onto the kustomization file
// of `dir` (generated when missing; the file in `dir` is rewritten), build with
// `root` as the load boundary, apply spec.commonMetadata, and check that every
// resource has apiVersion, kind and metadata.name. postBuild substitution is
// the caller's (it needs the variables).
//
//   FLUX_ASSIGN_OR_RETURN(auto objects, kustomize::BuildFluxKustomization(tmp, tmp + "/apps", ks, nullptr));

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kustomize/build.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// `dir` must lie inside `root`. Errors: the generator's own
// ("failed to decode Kubernetes YAML from <file>: ..."), build errors prefixed
// "kustomize build failed: ", and "failed to decode Kubernetes apiVersion, kind
// and name from: <json>" for an incomplete resource.
absl::StatusOr<std::vector<object::Value>> BuildFluxKustomization(const std::string& root, const std::string& dir,
                                                                  const object::Value& kustomization,
                                                                  RemoteFetcher* remote);

}  // namespace fluxcpp::kustomize
