#include "libs/kustomize/prefix_suffix_transformer.h"

#include "libs/core/status_macros.h"

namespace fluxcpp::kustomize {
namespace {

bool Skipped(const ResId& id) {
  return id.kind == "CustomResourceDefinition" || id.kind == "Namespace" ||
         (id.kind == "APIService" && id.group == "apiregistration.k8s.io");
}

absl::Status Affix(ResMap& m, const std::string& affix, const std::vector<FieldSpec>& field_specs, bool prefix) {
  for (Resource& r : m) {
    ResId orig = r.OrigId();
    if (Skipped(orig)) continue;
    for (const FieldSpec& fs : field_specs) {
      if (!fs.Selects(orig)) continue;
      if (fs.path == "metadata/name") {
        if (prefix) {
          r.prefixes.push_back(affix);
        } else {
          r.suffixes.push_back(affix);
        }
        if (!affix.empty()) r.StorePreviousId();
      }
      FLUX_RETURN_IF_ERROR(ApplyFieldSpec(r.obj, fs, LeafKind::kNone, [&](object::Value& v) -> absl::Status {
        if (!v.is_string()) return absl::OkStatus();
        v = prefix ? affix + v.get<std::string>() : v.get<std::string>() + affix;
        return absl::OkStatus();
      }));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TransformPrefix(ResMap& m, const std::string& prefix, const std::vector<FieldSpec>& field_specs) {
  return Affix(m, prefix, field_specs, true);
}

absl::Status TransformSuffix(ResMap& m, const std::string& suffix, const std::vector<FieldSpec>& field_specs) {
  return Affix(m, suffix, field_specs, false);
}

}  // namespace fluxcpp::kustomize
