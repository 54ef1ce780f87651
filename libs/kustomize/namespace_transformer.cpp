#include "libs/kustomize/namespace_transformer.h"

#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::kustomize {

using object::Value;

absl::Status TransformNamespace(ResMap& m, const NamespaceOptions& o) {
  if (o.ns.empty()) return absl::OkStatus();
  auto setter = [&o](Value& v) -> absl::Status {
    if (o.unset_only && v.is_string() && !v.get<std::string>().empty()) return absl::OkStatus();
    if (!v.is_null() && !v.is_string() && !v.is_number() && !v.is_boolean()) {
      return absl::InvalidArgumentError("namespace field specs must target scalar nodes");
    }
    v = o.ns;
    return absl::OkStatus();
  };
  for (Resource& r : m) {
    if (!r.obj.is_object() || r.obj.empty()) continue;
    r.StorePreviousId();
    const ResId id = r.prev_ids.back();  // the current id, just stored
    if (IsNamespaceableKind(id.kind) || !IsBuiltinApiGroup(id.group)) {
      FieldSpec meta;
      meta.path = "metadata/namespace";
      meta.create = true;
      FLUX_RETURN_IF_ERROR(ApplyFieldSpec(r.obj, meta, LeafKind::kScalar, setter));
    }
    bool role_binding = id.kind == "RoleBinding" || id.kind == "ClusterRoleBinding";
    if (role_binding && o.subjects != RoleBindingSubjects::kNone) {
      Value* subjects = object::FindMutable(r.obj, {"subjects"});
      if (subjects != nullptr && subjects->is_array()) {
        for (Value& s : *subjects) {
          if (!s.is_object()) continue;
          bool pick = o.subjects == RoleBindingSubjects::kDefaultOnly ? object::GetString(s, {"name"}) == "default"
                                                                     : object::GetString(s, {"kind"}) == "ServiceAccount";
          if (pick) FLUX_RETURN_IF_ERROR(setter(s["namespace"]));
        }
      }
    }
    std::string api_version = object::GetString(r.obj, {"apiVersion"});
    for (const FieldSpec& fs : o.field_specs) {
      if (fs.path == "metadata/namespace") continue;
      if (api_version != "v1" && fs.path == "metadata/name") continue;
      if (role_binding && fs.path == "subjects/namespace") continue;
      if (!fs.Selects(id)) continue;
      absl::Status s = ApplyFieldSpec(r.obj, fs, LeafKind::kScalar, setter);
      if (!s.ok()) return Annotate(s, "namespace transformation failed");
    }
  }
  // The first resource whose id another one (later) shares is the conflict.
  std::vector<ResId> ids;
  std::vector<std::string> keys;
  ids.reserve(m.size());
  keys.reserve(m.size());
  std::unordered_map<std::string, int> count;
  count.reserve(m.size());
  for (const Resource& r : m) {
    ids.push_back(r.CurId());
    keys.push_back(ids.back().EqualityKey());
    ++count[keys.back()];
  }
  for (size_t i = 0; i < m.size(); ++i) {
    if (count[keys[i]] > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("namespace transformation produces ID conflict: ", ids[i].String()));
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
