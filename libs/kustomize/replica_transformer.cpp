#include "libs/kustomize/replica_transformer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::kustomize {

using object::Value;

absl::Status TransformReplicas(ResMap& m, const Value& replica, const std::vector<FieldSpec>& field_specs) {
  std::string name = object::GetString(replica, {"name"});
  Value count = object::GetInt(replica, {"count"});
  bool found = false;
  for (const FieldSpec& fs : field_specs) {
    for (Resource& r : m) {
      bool match = false;
      auto check = [&](const ResId& id) {
        if (id.name == name && fs.Selects(id)) match = true;
      };
      check(r.CurId());
      for (const ResId& p : r.prev_ids) check(p);
      if (!match) continue;
      found = true;
      FLUX_RETURN_IF_ERROR(ApplyFieldSpec(r.obj, fs, LeafKind::kScalar, [&count](Value& v) {
        v = count;
        return absl::OkStatus();
      }));
    }
  }
  if (!found) {
    std::vector<std::string> gvks;
    for (const FieldSpec& fs : field_specs) {
      ResId id;
      id.group = fs.group;
      id.version = fs.version;
      id.kind = fs.kind;
      gvks.push_back(id.GvkString());
    }
    return absl::NotFoundError(absl::StrCat("resource with name ", name,
                                            " does not match a config with the following GVK [",
                                            absl::StrJoin(gvks, " "), "]"));
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
