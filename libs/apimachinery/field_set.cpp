#include "libs/apimachinery/field_set.h"

#include "absl/strings/match.h"
#include "libs/apimachinery/semantic_equal.h"

namespace fluxcpp::apimachinery {

using object::Value;

std::string FieldPathString(const FieldPath& path) {
  std::string out;
  for (const std::string& p : path) {
    out += ".";
    out += p;
  }
  return out;
}

void FieldSet::FromObjectInto(const Value& obj, Node& node) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    Node& child = node.children[it.key()];
    if (it.value().is_object() && !it.value().empty()) {
      FromObjectInto(it.value(), child);
    } else {
      child.self = true;
    }
  }
}

FieldSet FieldSet::FromObject(const Value& obj) {
  FieldSet set;
  if (obj.is_object()) FromObjectInto(obj, set.root_);
  return set;
}

void FieldSet::FromFieldsV1Into(const Value& f, Node& node) {
  bool collapsed = false;
  for (auto it = f.begin(); it != f.end(); ++it) {
    const std::string& key = it.key();
    if (key == ".") {
      node.self = true;
    } else if (absl::StartsWith(key, "f:")) {
      Node& child = node.children[key.substr(2)];
      if (it.value().is_object() && !it.value().empty()) {
        FromFieldsV1Into(it.value(), child);
        if (child.children.empty()) child.self = true;
      } else {
        child.self = true;
      }
    } else if (absl::StartsWith(key, "k:") || absl::StartsWith(key, "v:") || absl::StartsWith(key, "i:")) {
      collapsed = true;
    }
  }
  if (collapsed) {
    node.children.clear();
    node.self = true;
  }
}

FieldSet FieldSet::FromFieldsV1(const Value& fields_v1) {
  FieldSet set;
  if (fields_v1.is_object()) FromFieldsV1Into(fields_v1, set.root_);
  return set;
}

Value FieldSet::NodeToFieldsV1(const Node& node) {
  Value out = Value::object();
  if (node.self && !node.children.empty()) out["."] = Value::object();
  for (const auto& [name, child] : node.children) out["f:" + name] = NodeToFieldsV1(child);
  return out;
}

Value FieldSet::ToFieldsV1() const { return NodeToFieldsV1(root_); }

void FieldSet::Insert(const FieldPath& path) {
  Node* cur = &root_;
  for (const std::string& p : path) cur = &cur->children[p];
  cur->self = true;
}

const FieldSet::Node* FieldSet::Lookup(const FieldPath& path) const {
  const Node* cur = &root_;
  for (const std::string& p : path) {
    auto it = cur->children.find(p);
    if (it == cur->children.end()) return nullptr;
    cur = &it->second;
  }
  return cur;
}

bool FieldSet::Has(const FieldPath& path) const {
  const Node* n = Lookup(path);
  return n != nullptr && n->self;
}

bool FieldSet::HasAtOrUnder(const FieldPath& path) const {
  const Node* n = Lookup(path);
  return n != nullptr && (n->self || !n->children.empty());
}

bool FieldSet::Prune(Node& node) {
  for (auto it = node.children.begin(); it != node.children.end();) {
    if (Prune(it->second)) {
      it = node.children.erase(it);
    } else {
      ++it;
    }
  }
  return !node.self && node.children.empty();
}

void FieldSet::RemoveAtOrUnder(const FieldPath& path) {
  if (path.empty()) {
    root_ = Node();
    return;
  }
  Node* cur = &root_;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    auto it = cur->children.find(path[i]);
    if (it == cur->children.end()) return;
    cur = &it->second;
  }
  cur->children.erase(path.back());
  Prune(root_);
}

void FieldSet::Collect(const Node& node, FieldPath& prefix, std::vector<FieldPath>& out) {
  if (node.self) out.push_back(prefix);
  for (const auto& [name, child] : node.children) {
    prefix.push_back(name);
    Collect(child, prefix, out);
    prefix.pop_back();
  }
}

std::vector<FieldPath> FieldSet::Members() const {
  std::vector<FieldPath> out;
  FieldPath prefix;
  Collect(root_, prefix, out);
  return out;
}

FieldSet FieldSet::Union(const FieldSet& other) const {
  FieldSet out = *this;
  for (const FieldPath& p : other.Members()) out.Insert(p);
  return out;
}

FieldSet FieldSet::Difference(const FieldSet& other) const {
  FieldSet out;
  for (const FieldPath& p : Members()) {
    if (!other.Has(p)) out.Insert(p);
  }
  return out;
}

const Value* ValueAtPath(const Value& obj, const FieldPath& path) {
  const Value* cur = &obj;
  for (const std::string& p : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(p);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

bool RemoveFieldAtPath(Value& obj, const FieldPath& path, size_t keep_depth) {
  if (path.empty()) return false;
  std::vector<Value*> chain{&obj};
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    Value* cur = chain.back();
    if (!cur->is_object()) return false;
    auto it = cur->find(path[i]);
    if (it == cur->end()) return false;
    chain.push_back(&*it);
  }
  Value* parent = chain.back();
  if (!parent->is_object() || parent->erase(path.back()) == 0) return false;
  // chain[i] is the value at path[0..i); drop maps left empty.
  for (size_t depth = chain.size() - 1; depth > keep_depth && depth >= 1; --depth) {
    if (!chain[depth]->is_object() || !chain[depth]->empty()) break;
    chain[depth - 1]->erase(path[depth - 1]);
  }
  return true;
}

namespace {

void Diff(const Value& from, const Value& to, FieldPath& prefix, FieldSet& changed, FieldSet& removed) {
  for (auto it = to.begin(); it != to.end(); ++it) {
    prefix.push_back(it.key());
    auto old = from.find(it.key());
    if (old == from.end()) {
      FieldSet added = FieldSet::FromObject(Value::object({{it.key(), it.value()}}));
      for (FieldPath p : added.Members()) {
        FieldPath full(prefix.begin(), prefix.end() - 1);
        full.insert(full.end(), p.begin(), p.end());
        changed.Insert(full);
      }
    } else if (old->is_object() && it.value().is_object() && !old->empty() && !it.value().empty()) {
      Diff(*old, it.value(), prefix, changed, removed);
    } else if (!SemanticallyEqual(*old, it.value())) {
      if (it.value().is_object() && !it.value().empty()) {
        FieldPath base = prefix;
        for (const FieldPath& p : FieldSet::FromObject(it.value()).Members()) {
          FieldPath full = base;
          full.insert(full.end(), p.begin(), p.end());
          changed.Insert(full);
        }
      } else {
        changed.Insert(prefix);
      }
    }
    prefix.pop_back();
  }
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (!to.contains(it.key())) {
      prefix.push_back(it.key());
      removed.Insert(prefix);
      prefix.pop_back();
    }
  }
}

}  // namespace

void DiffFields(const Value& from, const Value& to, FieldSet& changed, FieldSet& removed) {
  FieldPath prefix;
  if (from.is_object() && to.is_object()) Diff(from, to, prefix, changed, removed);
}

}  // namespace fluxcpp::apimachinery
