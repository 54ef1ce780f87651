#include "libs/ssa/object_ref.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace fluxcpp::ssa {
namespace {

bool IsRbacKind(const std::string& group, const std::string& kind) {
  return group == "rbac.authorization.k8s.io" &&
         (kind == "Role" || kind == "ClusterRole" || kind == "RoleBinding" || kind == "ClusterRoleBinding");
}

}  // namespace

ObjectRef ObjectRef::Of(const object::Value& obj) {
  ObjectRef ref;
  std::string api_version = object::GetString(obj, {"apiVersion"});
  if (size_t slash = api_version.find('/'); slash != std::string::npos) {
    ref.group = api_version.substr(0, slash);
    ref.version = api_version.substr(slash + 1);
  } else {
    ref.version = api_version;
  }
  ref.kind = object::GetString(obj, {"kind"});
  ref.name = object::GetString(obj, {"metadata", "name"});
  ref.ns = object::GetString(obj, {"metadata", "namespace"});
  return ref;
}

std::string ObjectRef::InventoryId() const {
  std::string encoded_name = name;
  if (IsRbacKind(group, kind)) encoded_name = absl::StrReplaceAll(name, {{":", "__"}});
  return absl::StrCat(ns, "_", encoded_name, "_", group, "_", kind);
}

std::string ObjectRef::Subject() const {
  if (ns.empty()) return absl::StrCat(kind, "/", name);
  return absl::StrCat(kind, "/", ns, "/", name);
}

absl::StatusOr<ObjectRef> ParseInventoryEntry(const std::string& id, const std::string& version) {
  // Namespace, group and kind never contain '_'; names may not either (DNS),
  // except RBAC names whose ':' became "__". Split from both ends.
  std::vector<std::string> parts = absl::StrSplit(id, '_');
  if (parts.size() < 4) return absl::InvalidArgumentError(absl::StrCat("invalid inventory entry id '", id, "'"));
  ObjectRef ref;
  ref.ns = parts.front();
  ref.kind = parts.back();
  ref.group = parts[parts.size() - 2];
  std::vector<std::string> name_parts(parts.begin() + 1, parts.end() - 2);
  ref.name = absl::StrJoin(name_parts, "_");
  if (IsRbacKind(ref.group, ref.kind)) ref.name = absl::StrReplaceAll(ref.name, {{"__", ":"}});
  ref.version = version;
  if (ref.name.empty() || ref.kind.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid inventory entry id '", id, "'"));
  }
  return ref;
}

object::Value ToInventory(const std::vector<ObjectRef>& refs) {
  object::Value entries = object::Value::array();
  for (const ObjectRef& ref : refs) {
    entries.push_back({{"id", ref.InventoryId()}, {"v", ref.version}});
  }
  return {{"entries", std::move(entries)}};
}

absl::StatusOr<std::vector<ObjectRef>> FromInventory(const object::Value& inventory) {
  std::vector<ObjectRef> out;
  const object::Value* entries = object::Find(inventory, {"entries"});
  if (entries == nullptr || !entries->is_array()) return out;
  for (const object::Value& e : *entries) {
    auto ref = ParseInventoryEntry(object::GetString(e, {"id"}), object::GetString(e, {"v"}));
    if (!ref.ok()) return ref.status();
    out.push_back(std::move(*ref));
  }
  return out;
}

std::vector<ObjectRef> StaleObjects(const std::vector<ObjectRef>& old_refs, const std::vector<ObjectRef>& new_refs) {
  std::set<std::string> current;
  for (const ObjectRef& r : new_refs) current.insert(r.InventoryId());
  std::vector<ObjectRef> stale;
  for (const ObjectRef& r : old_refs) {
    if (!current.count(r.InventoryId())) stale.push_back(r);
  }
  return stale;
}

}  // namespace fluxcpp::ssa
