#include "libs/kustomize/build.h"

#include "libs/core/status_macros.h"
#include "libs/kustomize/kust_target.h"
#include "libs/kustomize/kyaml_writer.h"
#include "libs/kustomize/legacy_order.h"
#include "libs/kustomize/merge_schema.h"
#include "libs/kustomize/yaml_scalar.h"

namespace fluxcpp::kustomize {

absl::StatusOr<std::vector<object::Value>> Build(const std::string& dir, const BuildOptions& options) {
  FLUX_ASSIGN_OR_RETURN(FileLoader ldr, FileLoader::Create(dir, options.root, options.remote));
  FLUX_ASSIGN_OR_RETURN(KustTarget kt, KustTarget::Load(std::move(ldr), options));
  OpenApiState openapi;  // this build's schema choice (see merge_schema.h)
  ScopedOpenApiState scoped_openapi(&openapi);
  FLUX_RETURN_IF_ERROR(kt.ApplyOpenApi(/*reset=*/true));
  FLUX_ASSIGN_OR_RETURN(ResMap m, kt.MakeCustomizedResMap());
  const object::Value* sort = object::Find(kt.kustomization().k, {"sortOptions"});
  if (sort != nullptr && !sort->is_null()) {
    FLUX_RETURN_IF_ERROR(ApplySortOptions(m, *sort));
  } else if (options.reorder == Reorder::kLegacy) {
    LegacySort(m);
  }
  bool origins = false, transformations = false;
  if (const object::Value* bm = object::Find(kt.kustomization().k, {"buildMetadata"}); bm != nullptr && bm->is_array()) {
    for (const object::Value& v : *bm) {
      if (v == "originAnnotations") origins = true;
      if (v == "transformerAnnotations") transformations = true;
    }
  }
  std::vector<object::Value> out;
  out.reserve(m.size());
  for (Resource& r : m) {
    if (origins && r.origin) {
      object::Ensure(r.obj, {"metadata", "annotations", "config.kubernetes.io/origin"}) = r.origin->ToYaml();
    }
    if (transformations && !r.transformations.empty()) {
      object::Ensure(r.obj, {"metadata", "annotations", "alpha.config.kubernetes.io/transformations"}) =
          TransformationsToYaml(r.transformations);
    }
    // kustomize rewrites non-empty annotation maps with string values (a map
    // or list value, which it cannot read as a string, becomes "").
    object::Value* ann = object::FindMutable(r.obj, {"metadata", "annotations"});
    if (ann != nullptr && ann->is_object()) {
      for (auto& [k, v] : ann->items()) {
        if (v.is_null() || v.is_object() || v.is_array()) {
          v = "";
        } else if (!v.is_string() && !v.is_object() && !v.is_array()) {
          v = v.is_number_float() ? FormatGoFloat(v.get<double>()) : v.dump();
        }
      }
    }
    out.push_back(std::move(r.obj));
  }
  return out;
}

std::string ToYaml(const std::vector<object::Value>& resources) {
  std::string out;
  for (size_t i = 0; i < resources.size(); ++i) {
    if (i > 0) out += "---\n";
    out += MarshalResource(resources[i]);
  }
  return out;
}

bool WriteYaml(std::vector<object::Value>&& resources, const std::function<bool(std::string_view)>& sink) {
  std::vector<object::Value> owned = std::move(resources);
  for (size_t i = 0; i < owned.size(); ++i) {
    if (i > 0 && !sink("---\n")) return false;
    std::string text = MarshalResource(owned[i]);
    owned[i] = object::Value();
    if (!sink(text)) return false;
  }
  return true;
}

}  // namespace fluxcpp::kustomize
