#pragma once
// Structured merging for server-side apply and managedFields, following
// structured-merge-diff (the library kube-apiserver uses) over an OpenAPI v3
// structural schema:
//   - maps are merged field by field unless `x-kubernetes-map-type: atomic`;
//   - lists are atomic (replaced whole, owned as one field) unless
//     `x-kubernetes-list-type` is `map` (items identified by
//     `x-kubernetes-list-map-keys`, merged item by item, each item and each of
//     its fields owned separately: `k:{"name":"x"}`) or `set` (scalar items
//     owned one by one: `v:"x"`);
//   - a missing key field takes the `default` its schema declares (ports'
//     `protocol: TCP`).
// A null or absent schema means "no type information": maps granular, lists
// atomic — kube's behaviour for untyped content.
//
// Pure functions; thread-compatible.

#include <string>
#include <vector>

#include "libs/apimachinery/field_set.h"
#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

// A position in a structural schema (cheap to copy; points into a schema
// that must outlive it).
class MergeSchema {
 public:
  enum class ListType { kAtomic, kMap, kSet };

  explicit MergeSchema(const object::Value* schema = nullptr);

  // The schema of map field `name` (properties, else additionalProperties).
  MergeSchema Field(const std::string& name) const;
  MergeSchema Items() const;
  ListType GetListType() const;
  std::vector<std::string> MapKeys() const;
  bool AtomicMap() const;
  const object::Value* raw() const { return schema_; }

 private:
  const object::Value* schema_;
};

// The path element naming list item `item` in a list described by `list`
// ("k:{...}" for map lists, "v:..." for sets, "" for atomic lists).
std::string ElementOf(const object::Value& item, const MergeSchema& list);

// Problems that make `obj` unusable as an apply configuration, worded like
// structured-merge-diff: map-list items without a key field (and no
// default), duplicate keys or values in map and set lists
// (".spec.containers: duplicate entries for key [name=\"a\"]"). Empty when fine.
std::vector<std::string> CheckAssociativeLists(const object::Value& obj, const MergeSchema& schema);

// Every field of `obj` as a set: leaves, list items of map/set lists (the
// item and its fields), atomic lists and maps as one member. Nulls are not
// members (they mean "remove" in an apply).
FieldSet FieldSetOf(const object::Value& obj, const MergeSchema& schema);

// `applied` merged into `live` (an apply): maps recursively, map/set lists
// item by item (live order kept, new items placed as applied; live items
// sharing a key are kept as they are), everything else replaced; null
// removes.
object::Value MergeApplied(const object::Value& live, const object::Value& applied, const MergeSchema& schema);

// The value at `path` in `obj` (nullptr when absent). List items are found by
// key (defaults honoured), value or index.
const object::Value* ValueAtPath(const object::Value& obj, const FieldPath& path, const MergeSchema& schema);
// Removes the field or list item at `path`; then removes maps and lists left
// empty by it, up to (not including) `keep_depth` levels from the root. True when
// something was removed.
bool RemovePath(object::Value& obj, const FieldPath& path, const MergeSchema& schema, size_t keep_depth = 1);

// Paths whose values differ between `from` and `to`: `changed` gets members
// added or modified in `to`, `removed` gets members present only in `from`.
void DiffFields(const object::Value& from, const object::Value& to, const MergeSchema& schema, FieldSet& changed,
                FieldSet& removed);

}  // namespace fluxcpp::apimachinery
