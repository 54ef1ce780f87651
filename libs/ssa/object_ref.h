#pragma once
// Identity of an applied object, and Flux's inventory encoding of it.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::ssa {

struct ObjectRef {
  std::string ns;  // empty for cluster-scoped
  std::string name;
  std::string group;  // empty for the core group
  std::string kind;
  std::string version;

  static ObjectRef Of(const object::Value& obj);
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // Inventory id "<ns>_<name>_<group>_<kind>"; ':' in RBAC names stored as "__".
  std::string InventoryId() const;
  // Change-set subject "<Kind>/<ns>/<name>" (namespace omitted when cluster-scoped).
  std::string Subject() const;
  bool SameObject(const ObjectRef& other) const { return InventoryId() == other.InventoryId(); }
};

// Parses an inventory entry {id, v}; InvalidArgument when the id is malformed.
absl::StatusOr<ObjectRef> ParseInventoryEntry(const std::string& id, const std::string& version);

// status.inventory {entries: [{id, v}]} <-> refs, in order.
object::Value ToInventory(const std::vector<ObjectRef>& refs);
absl::StatusOr<std::vector<ObjectRef>> FromInventory(const object::Value& inventory);

// Entries of `old_refs` whose id is absent from `new_refs`, in old order.
std::vector<ObjectRef> StaleObjects(const std::vector<ObjectRef>& old_refs, const std::vector<ObjectRef>& new_refs);

}  // namespace fluxcpp::ssa
