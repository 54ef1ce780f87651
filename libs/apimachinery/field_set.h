#pragma once
// Sets of field paths, as recorded in metadata.managedFields[].fieldsV1.
//
// A path is a list of map keys from the object root ({"spec","replicas"}).
// This model tracks maps field by field and treats every list as one atomic
// leaf: list-element keys in fieldsV1 read from elsewhere ("k:{...}", "v:",
// "i:") collapse to the list that holds them. "." marks a map that is owned
// itself (kept on round-trip).
//
// Value type; thread-compatible.

#include <map>
#include <string>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

using FieldPath = std::vector<std::string>;

// ".spec.replicas" — the form Kubernetes prints in conflict messages.
std::string FieldPathString(const FieldPath& path);

class FieldSet {
 public:
  FieldSet() = default;

  // Every leaf of `obj` (scalars, lists, empty maps); non-empty maps recurse.
  static FieldSet FromObject(const object::Value& obj);
  // Parses a fieldsV1 object; unknown shapes are skipped.
  static FieldSet FromFieldsV1(const object::Value& fields_v1);
  object::Value ToFieldsV1() const;

  bool Empty() const { return !root_.self && root_.children.empty(); }
  void Insert(const FieldPath& path);
  // True when `path` itself is a member.
  bool Has(const FieldPath& path) const;
  // True when `path` or anything under it is a member.
  bool HasAtOrUnder(const FieldPath& path) const;
  // Removes `path` and everything under it.
  void RemoveAtOrUnder(const FieldPath& path);
  // Members (paths marked as owned), in key order.
  std::vector<FieldPath> Members() const;

  FieldSet Union(const FieldSet& other) const;
  // Members of this set that `other` does not have.
  FieldSet Difference(const FieldSet& other) const;

  bool operator==(const FieldSet& other) const { return root_ == other.root_; }

 private:
  struct Node {
    bool self = false;
    std::map<std::string, Node> children;
    bool operator==(const Node& o) const { return self == o.self && children == o.children; }
  };
  static void FromObjectInto(const object::Value& obj, Node& node);
  static void FromFieldsV1Into(const object::Value& f, Node& node);
  static object::Value NodeToFieldsV1(const Node& node);
  static void Collect(const Node& node, FieldPath& prefix, std::vector<FieldPath>& out);
  const Node* Lookup(const FieldPath& path) const;
  static bool Prune(Node& node);  // drops empty non-self children; true when node is now empty

  Node root_;
};

// The value at `path` in `obj`, or nullptr.
const object::Value* ValueAtPath(const object::Value& obj, const FieldPath& path);
// Removes the field at `path`; then removes parent maps left empty, up to
// (not including) `keep_depth` levels from the root. True when removed.
bool RemoveFieldAtPath(object::Value& obj, const FieldPath& path, size_t keep_depth = 1);

// Paths whose values differ between `from` and `to`: `changed` gets leaves
// added or modified in `to`, `removed` gets leaves present only in `from`.
void DiffFields(const object::Value& from, const object::Value& to, FieldSet& changed, FieldSet& removed);

}  // namespace fluxcpp::apimachinery
