#include "libs/kustomize/flux_overlay_from_spec.h"

#include <string>

namespace fluxcpp::kustomize {

FluxOverlay FluxOverlayFromSpec(const object::Value& obj) {
  FluxOverlay overlay;
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

}  // namespace fluxcpp::kustomize
