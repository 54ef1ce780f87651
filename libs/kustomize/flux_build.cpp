#include "libs/kustomize/flux_build.h"

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/flux_generator.h"
#include "libs/kustomize/flux_overlay_from_spec.h"

namespace fluxcpp::kustomize {

absl::StatusOr<std::vector<object::Value>> BuildFluxKustomization(const std::string& root, const std::string& dir,
                                                                  const object::Value& kustomization,
                                                                  RemoteFetcher* remote) {
  const FluxOverlay overlay = FluxOverlayFromSpec(kustomization);
  if (auto generated = GenerateFluxKustomization(dir, overlay); !generated.ok()) {
    return generated.status();
  }
  BuildOptions build_options;
  build_options.root = root;
  build_options.remote = remote;
  auto built = Build(dir, build_options);
  if (!built.ok()) return Annotate(built.status(), "kustomize build failed");
  ApplyCommonMetadata(*built, overlay);
  for (const auto& res : *built) {
    if (object::GetString(res, {"apiVersion"}).empty() || object::GetString(res, {"kind"}).empty() ||
        object::GetString(res, {"metadata", "name"}).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("failed to decode Kubernetes apiVersion, kind and name from: ",
                                                     object::ToJson(res).substr(0, 200)));
    }
  }
  return built;
}


}  // namespace fluxcpp::kustomize
