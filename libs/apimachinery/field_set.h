#pragma once
// Sets of field paths, as recorded in metadata.managedFields[].fieldsV1
// (structured-merge-diff's fieldpath.Set).
//
// A path is a list of path elements, each kept in its fieldsV1 spelling:
//   "f:<name>"        a map field,
//   "k:{<json>}"      an item of an associative list (x-kubernetes-list-type
//                     map), named by its key fields sorted by name,
//   "v:<json>"        an item of a set list (x-kubernetes-list-type set),
//   "i:<index>"       an item of a list addressed by position.
// A member is a path owned itself; "." in fieldsV1 marks a member that also
// has members below it (list items, owned maps).
//
// Value type; thread-compatible.

#include <map>
#include <string>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

using FieldPath = std::vector<std::string>;

// Path element constructors.
std::string FieldElement(const std::string& name);
// `keys`: the key fields of an associative list item (any order).
std::string KeyElement(const object::Value& keys);
std::string ValueElement(const object::Value& value);
std::string IndexElement(size_t index);

// ".spec.containers[name=\"a\"].image" — how Kubernetes prints paths in
// conflict messages.
std::string FieldPathString(const FieldPath& path);
// Convenience: {"spec","replicas"} -> {"f:spec","f:replicas"}.
FieldPath Fields(std::initializer_list<std::string> names);

class FieldSet {
 public:
  FieldSet() = default;

  // Parses a fieldsV1 object; non-object values are skipped.
  static FieldSet FromFieldsV1(const object::Value& fields_v1);
  object::Value ToFieldsV1() const;

  bool Empty() const { return !root_.self && root_.children.empty(); }
  void Insert(const FieldPath& path);
  // True when `path` itself is a member.
  bool Has(const FieldPath& path) const;
  // True when `path` or anything under it is a member.
  bool HasAtOrUnder(const FieldPath& path) const;
  // True when something strictly under `path` is a member.
  bool HasUnder(const FieldPath& path) const;
  // Removes `path` and everything under it.
  void RemoveAtOrUnder(const FieldPath& path);
  // Removes the membership of `path` only (members below it stay).
  void Remove(const FieldPath& path);
  // Members (paths marked as owned), parents before children, in key order.
  std::vector<FieldPath> Members() const;

  FieldSet Union(const FieldSet& other) const;
  // Members of this set that `other` does not have.
  FieldSet Difference(const FieldSet& other) const;
  // Members of this set that `other` also has.
  FieldSet Intersection(const FieldSet& other) const;

  bool operator==(const FieldSet& other) const { return root_ == other.root_; }

 private:
  struct Node {
    bool self = false;
    std::map<std::string, Node> children;
    bool operator==(const Node& o) const { return self == o.self && children == o.children; }
  };
  static void FromFieldsV1Into(const object::Value& f, Node& node);
  static object::Value NodeToFieldsV1(const Node& node);
  static void Collect(const Node& node, FieldPath& prefix, std::vector<FieldPath>& out);
  const Node* Lookup(const FieldPath& path) const;
  static bool Prune(Node& node);  // drops empty non-self children; true when node is now empty

  Node root_;
};

}  // namespace fluxcpp::apimachinery
