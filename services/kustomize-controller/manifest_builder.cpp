#include "services/kustomize-controller/manifest_builder.h"

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/build.h"

namespace fluxcpp::kustomize_controller {

kustomize::FluxOverlay OverlayFromSpec(const object::Value& obj) {
  kustomize::FluxOverlay overlay;
  overlay.target_namespace = object::GetString(obj, {"spec", "targetNamespace"});
  overlay.name_prefix = object::GetString(obj, {"spec", "namePrefix"});
  overlay.name_suffix = object::GetString(obj, {"spec", "nameSuffix"});
  if (const auto* p = object::Find(obj, {"spec", "patches"}); p && p->is_array()) {
    for (const auto& item : *p) overlay.patches.push_back(item);
  }
  if (const auto* i = object::Find(obj, {"spec", "images"}); i && i->is_array()) {
    for (const auto& item : *i) overlay.images.push_back(item);
  }
  if (const auto* c = object::Find(obj, {"spec", "components"}); c && c->is_array()) {
    for (const auto& item : *c) {
      if (item.is_string()) overlay.components.push_back(item.get<std::string>());
    }
  }
  overlay.ignore_missing_components = object::GetBool(obj, {"spec", "ignoreMissingComponents"});
  if (const auto* b = object::Find(obj, {"spec", "buildMetadata"}); b && b->is_array()) {
    for (const auto& item : *b) {
      if (item.is_string()) overlay.build_metadata.push_back(item.get<std::string>());
    }
  }
  if (const auto* l = object::Find(obj, {"spec", "commonMetadata", "labels"}); l && l->is_object()) {
    for (auto it = l->begin(); it != l->end(); ++it) {
      if (it.value().is_string()) overlay.common_labels[it.key()] = it.value().get<std::string>();
    }
  }
  if (const auto* a = object::Find(obj, {"spec", "commonMetadata", "annotations"}); a && a->is_object()) {
    for (auto it = a->begin(); it != a->end(); ++it) {
      if (it.value().is_string()) overlay.common_annotations[it.key()] = it.value().get<std::string>();
    }
  }
  return overlay;
}

absl::StatusOr<std::vector<object::Value>> BuildManifests(const std::string& root, const std::string& dir,
                                                          const object::Value& obj, bool no_remote_bases) {
  const kustomize::FluxOverlay overlay = OverlayFromSpec(obj);
  if (auto generated = kustomize::GenerateFluxKustomization(dir, overlay); !generated.ok()) {
    return generated.status();
  }
  kustomize::BuildOptions build_options;
  build_options.root = root;
  build_options.allow_remote = !no_remote_bases;
  auto built = kustomize::Build(dir, build_options);
  if (!built.ok()) return Annotate(built.status(), "kustomize build failed");
  kustomize::ApplyCommonMetadata(*built, overlay);
  for (const auto& res : *built) {
    if (object::GetString(res, {"apiVersion"}).empty() || object::GetString(res, {"kind"}).empty() ||
        object::GetString(res, {"metadata", "name"}).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("failed to decode Kubernetes apiVersion, kind and name from: ",
                                                     object::ToJson(res).substr(0, 200)));
    }
  }
  return built;
}

}  // namespace fluxcpp::kustomize_controller
