#include "libs/kustomize/crd_config.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/kyaml_reader.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

constexpr int kMaxDepth = 64;  // $ref cycles end here

void LoadType(TransformerConfig& tc, const std::string& kind, const Value& defs, const std::string& type_name,
              std::vector<std::string>& path) {
  if (path.size() > kMaxDepth) return;
  const Value* props = object::Find(defs, {type_name, "Schema", "properties"});
  if (props == nullptr || !props->is_object()) return;
  auto spec = [&](const std::vector<std::string>& p) {
    FieldSpec fs;
    fs.kind = kind;
    fs.path = absl::StrJoin(p, "/");
    return fs;
  };
  for (const auto& [prop_name, prop] : props->items()) {
    if (!prop.is_object()) continue;
    path.push_back(prop_name);
    if (prop.contains("x-kubernetes-annotation")) MergeFieldSpecs(tc.common_annotations, {spec(path)});
    if (prop.contains("x-kubernetes-label-selector")) MergeFieldSpecs(tc.common_labels, {spec(path)});
    if (prop.contains("x-kubernetes-identity")) MergeFieldSpecs(tc.name_prefix, {spec(path)});
    const Value* version = object::Find(prop, {"x-kubernetes-object-ref-api-version"});
    const Value* ref_kind = object::Find(prop, {"x-kubernetes-object-ref-kind"});
    if (version != nullptr && version->is_string() && ref_kind != nullptr && ref_kind->is_string()) {
      std::string name_key = object::GetString(prop, {"x-kubernetes-object-ref-name-key"});
      if (name_key.empty()) name_key = "name";
      std::vector<std::string> p = path;
      p.push_back(name_key);
      TransformerConfig one;
      NameBackReference b;
      b.kind = ref_kind->get<std::string>();
      b.version = version->get<std::string>();
      b.referrers.push_back(spec(p));
      one.name_reference.push_back(std::move(b));
      tc.Merge(one);
    }
    if (std::string ref = object::GetString(prop, {"$ref"}); !ref.empty()) LoadType(tc, kind, defs, ref, path);
    path.pop_back();
  }
}

}  // namespace

absl::StatusOr<TransformerConfig> LoadConfigFromCrds(const FileLoader& ldr, const std::vector<std::string>& paths) {
  TransformerConfig tc;
  for (const std::string& path : paths) {
    FLUX_ASSIGN_OR_RETURN(std::string text, ldr.Load(path));
    auto defs = ReadYaml(text);
    if (!defs.ok() || !defs->is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("unable to parse open API definition from '", path, "'",
                                                     defs.ok() ? "" : ": " + std::string(defs.status().message())));
    }
    for (const auto& [name, api] : defs->items()) {
      const Value* props = object::Find(api, {"Schema", "properties"});
      if (props == nullptr || !props->is_object() || !props->contains("kind") || !props->contains("apiVersion") ||
          !props->contains("metadata")) {
        continue;
      }
      size_t dot = name.rfind('.');
      std::string kind = dot == std::string::npos ? name : name.substr(dot + 1);
      std::vector<std::string> p;
      LoadType(tc, kind, *defs, name, p);
    }
  }
  return tc;
}

}  // namespace fluxcpp::kustomize
