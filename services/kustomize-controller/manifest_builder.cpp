#include "services/kustomize-controller/manifest_builder.h"

#include <filesystem>

#include "libs/kustomize/flux_build.h"
#include "libs/kustomize_remote/fetcher.h"

namespace fluxcpp::kustomize_controller {

absl::StatusOr<std::vector<object::Value>> BuildManifests(const std::string& root, const std::string& dir,
                                                          const object::Value& obj, bool no_remote_bases) {
  if (no_remote_bases) return kustomize::BuildFluxKustomization(root, dir, obj, nullptr);
  // Remote bases are cloned beside the artifact (the controller's temp dir)
  // and removed when the fetcher goes out of scope.
  kustomize_remote::FetcherOptions options;
  options.temp_dir = std::filesystem::path(root).parent_path().string();
  kustomize_remote::Fetcher fetcher(options);
  return kustomize::BuildFluxKustomization(root, dir, obj, &fetcher);
}

}  // namespace fluxcpp::kustomize_controller
