#include "libs/kustomize/patch_transformer.h"

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/build_annotations.h"
#include "libs/kustomize/json_patch.h"
#include "libs/kustomize/kyaml_reader.h"
#include "libs/kustomize/selector.h"
#include "libs/kustomize/strategic_merge.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

struct SmPatch {
  Resource patch;
  bool allow_name_change = false;
  bool allow_kind_change = false;
};

ResId PatchId(const Resource& p) { return p.CurId(); }

// Applies an SM patch to m[i]; returns false when the resource was deleted.
absl::StatusOr<bool> ApplySmTo(Resource& r, const SmPatch& p) {
  std::string name = r.Name(), ns = r.Namespace();
  Value kind = object::GetString(r.obj, {"kind"});
  if (p.allow_name_change || p.allow_kind_change) r.StorePreviousId();
  FLUX_ASSIGN_OR_RETURN(std::optional<Value> merged, StrategicMerge(r.obj, p.patch.obj));
  if (!merged || (merged->is_object() && merged->empty())) return false;
  r.obj = std::move(*merged);
  if (!p.allow_kind_change) r.obj["kind"] = kind;
  if (!p.allow_name_change) r.SetName(name);
  if (ns.empty()) {
    object::Erase(r.obj, {"metadata", "namespace"});
  } else {
    r.SetNamespace(ns);
  }
  return true;
}

absl::StatusOr<size_t> GetById(const ResMap& m, const ResId& id) {
  std::vector<size_t> matches;
  for (size_t i = 0; i < m.size(); ++i) {
    if (m[i].MatchesAnyId(id)) matches.push_back(i);
  }
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) {
    return absl::NotFoundError(
        absl::StrCat("no matches for Id ", id.String(), "; failed to find unique target for patch ", id.String()));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("multiple matches for Id ", id.String(), "; failed to find unique target for patch ", id.String()));
}

// Drops the resources marked deleted, in place (order kept).
void RemoveDeleted(ResMap& m, const std::vector<bool>& deleted) {
  size_t kept = 0;
  for (size_t i = 0; i < m.size(); ++i) {
    if (deleted[i]) continue;
    if (kept != i) m[kept] = std::move(m[i]);
    ++kept;
  }
  m.erase(m.begin() + static_cast<long>(kept), m.end());
}

// `store_previous_id`: the `patches` transformer records the id before the
// patch; the legacy patchesJson6902 one does not.
absl::Status ApplyJson(ResMap& m, const std::vector<size_t>& selected, const Value& ops, bool store_previous_id) {
  for (size_t i : selected) {
    Resource& r = m[i];
    if (store_previous_id) r.StorePreviousId();
    // The patch sees kustomize's build annotations (see build_annotations.h).
    Value obj = std::move(r.obj);  // an error ends the build
    InjectBuildAnnotations(r, obj);
    FLUX_ASSIGN_OR_RETURN(Value patched, ApplyJsonPatch(obj, ops));
    StripBuildAnnotations(patched);
    r.obj = std::move(patched);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyPatch(ResMap& m, const FileLoader& ldr, const Value& entry) {
  std::string text = object::GetString(entry, {"patch"});
  std::string path = object::GetString(entry, {"path"});
  if (!path.empty() && !text.empty()) {
    return absl::InvalidArgumentError("patch and path can't be set at the same time");
  }
  if (!path.empty()) {
    FLUX_ASSIGN_OR_RETURN(text, ldr.Load(path));
  }
  if (path.empty() && text.empty()) return absl::InvalidArgumentError("must specify one of patch and path in patches");
  auto sm = ResourcesFromBytes(text);
  auto json = ParseJsonPatch(text);
  if (sm.ok() && json.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("illegally qualifies as both an SM and JSON patch: ", text));
  }
  if (!sm.ok() && !json.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("unable to parse SM or JSON patch from ", text));
  }
  const Value* target = object::Find(entry, {"target"});
  bool has_target = target != nullptr && target->is_object();
  if (json.ok()) {
    if (!has_target) return absl::InvalidArgumentError(absl::StrCat("must specify a target for JSON patch ", text));
    FLUX_ASSIGN_OR_RETURN(Selector sel, Selector::Create(*target));
    FLUX_ASSIGN_OR_RETURN(std::vector<size_t> selected, sel.Select(m));
    return ApplyJson(m, selected, *json, /*store_previous_id=*/true);
  }
  bool allow_name = object::GetBool(entry, {"options", "allowNameChange"});
  bool allow_kind = object::GetBool(entry, {"options", "allowKindChange"});
  std::vector<bool> deleted(m.size(), false);
  if (has_target) {
    if (sm->size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: ",
          path.empty() ? text : path));
    }
    if (sm->empty()) return absl::OkStatus();
    FLUX_ASSIGN_OR_RETURN(Selector sel, Selector::Create(*target));
    FLUX_ASSIGN_OR_RETURN(std::vector<size_t> selected, sel.Select(m));
    for (size_t i : selected) {
      SmPatch p{(*sm)[0], allow_name, allow_kind};
      // The patch takes the target's apiVersion (kustomize copies the gvk).
      p.patch.obj["apiVersion"] = object::GetString(m[i].obj, {"apiVersion"});
      FLUX_ASSIGN_OR_RETURN(bool kept, ApplySmTo(m[i], p));
      if (!kept) deleted[i] = true;
    }
  } else {
    for (Resource& patch : *sm) {
      ResId id = PatchId(patch);
      auto idx = GetById(m, id);
      if (!idx.ok()) {
        return absl::Status(idx.status().code(), absl::StrCat("no resource matches strategic merge patch \"",
                                                              id.String(), "\": ", std::string(idx.status().message())));
      }
      SmPatch p{patch, allow_name, allow_kind};
      FLUX_ASSIGN_OR_RETURN(bool kept, ApplySmTo(m[*idx], p));
      if (!kept) deleted[*idx] = true;
    }
  }
  RemoveDeleted(m, deleted);
  return absl::OkStatus();
}

absl::Status ApplyPatchesStrategicMerge(ResMap& m, const FileLoader& ldr, const Value& list) {
  if (!list.is_array() || list.empty()) return absl::OkStatus();
  std::vector<Resource> patches;
  std::vector<std::string> sources;
  for (const Value& item : list) {
    std::string s = item.is_string() ? item.get<std::string>() : item.dump();
    sources.push_back(s);
    auto inline_res = ResourcesFromBytes(s);
    if (inline_res.ok() && !inline_res->empty()) {
      for (Resource& r : *inline_res) patches.push_back(std::move(r));
      continue;
    }
    FLUX_ASSIGN_OR_RETURN(std::string text, ldr.Load(s));
    FLUX_ASSIGN_OR_RETURN(ResMap res, ResourcesFromBytes(text));
    for (Resource& r : res) patches.push_back(std::move(r));
  }
  if (patches.empty()) {
    std::string files;
    for (const std::string& s : sources) files += (files.empty() ? "" : " ") + s;
    return absl::InvalidArgumentError(absl::StrCat("patch appears to be empty; files=[", files, "], Patch=[]"));
  }
  for (const Resource& patch : patches) {
    FLUX_ASSIGN_OR_RETURN(size_t idx, GetById(m, PatchId(patch)));
    SmPatch p{patch, false, false};
    FLUX_ASSIGN_OR_RETURN(bool kept, ApplySmTo(m[idx], p));
    if (!kept) m.erase(m.begin() + static_cast<long>(idx));
  }
  return absl::OkStatus();
}

absl::Status ApplyPatchJson6902(ResMap& m, const FileLoader& ldr, const Value& entry) {
  const Value* target = object::Find(entry, {"target"});
  if (target == nullptr || !target->is_object()) return absl::InvalidArgumentError("must specify a target for patch");
  std::string text = object::GetString(entry, {"patch"});
  std::string path = object::GetString(entry, {"path"});
  if (text.empty() && path.empty()) return absl::InvalidArgumentError("empty file path and empty jsonOp");
  if (!path.empty()) {
    FLUX_ASSIGN_OR_RETURN(text, ldr.Load(path));
  }
  FLUX_ASSIGN_OR_RETURN(Value ops, ParseJsonPatch(text));
  FLUX_ASSIGN_OR_RETURN(Selector sel, Selector::Create(*target));
  FLUX_ASSIGN_OR_RETURN(std::vector<size_t> selected, sel.Select(m));
  return ApplyJson(m, selected, ops, /*store_previous_id=*/false);
}

}  // namespace fluxcpp::kustomize
