#include "services/kustomize-controller/manifest_builder.h"

#include "libs/kustomize/flux_build.h"

namespace fluxcpp::kustomize_controller {

absl::StatusOr<std::vector<object::Value>> BuildManifests(const std::string& root, const std::string& dir,
                                                          const object::Value& obj, bool no_remote_bases) {
  return kustomize::BuildFluxKustomization(root, dir, obj, !no_remote_bases);
}

}  // namespace fluxcpp::kustomize_controller
