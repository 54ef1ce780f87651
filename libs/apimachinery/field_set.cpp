#include "libs/apimachinery/field_set.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace fluxcpp::apimachinery {

using object::Value;

std::string FieldElement(const std::string& name) { return "f:" + name; }

std::string KeyElement(const Value& keys) {
  std::vector<std::string> names;
  for (auto it = keys.begin(); it != keys.end(); ++it) names.push_back(it.key());
  std::sort(names.begin(), names.end());
  Value sorted = Value::object();
  for (const std::string& n : names) sorted[n] = keys.at(n);
  return "k:" + sorted.dump();
}

std::string ValueElement(const Value& value) { return "v:" + value.dump(); }

std::string IndexElement(size_t index) { return absl::StrCat("i:", index); }

FieldPath Fields(std::initializer_list<std::string> names) {
  FieldPath out;
  for (const std::string& n : names) out.push_back(FieldElement(n));
  return out;
}

std::string FieldPathString(const FieldPath& path) {
  std::string out;
  for (const std::string& p : path) {
    if (absl::StartsWith(p, "f:")) {
      absl::StrAppend(&out, ".", p.substr(2));
    } else if (absl::StartsWith(p, "k:")) {
      auto keys = Value::parse(p.substr(2), nullptr, false);
      std::string inner;
      if (keys.is_object()) {
        for (auto it = keys.begin(); it != keys.end(); ++it) {
          absl::StrAppend(&inner, inner.empty() ? "" : ",", it.key(), "=", it.value().dump());
        }
      }
      absl::StrAppend(&out, "[", inner, "]");
    } else if (absl::StartsWith(p, "v:")) {
      absl::StrAppend(&out, "[=", p.substr(2), "]");
    } else if (absl::StartsWith(p, "i:")) {
      absl::StrAppend(&out, "[", p.substr(2), "]");
    } else {
      absl::StrAppend(&out, ".", p);
    }
  }
  return out;
}

void FieldSet::FromFieldsV1Into(const Value& f, Node& node) {
  for (auto it = f.begin(); it != f.end(); ++it) {
    const std::string& key = it.key();
    if (key == ".") {
      node.self = true;
      continue;
    }
    if (key.size() < 2 || key[1] != ':') continue;
    Node& child = node.children[key];
    if (it.value().is_object() && !it.value().empty()) {
      FromFieldsV1Into(it.value(), child);
      if (child.children.empty()) child.self = true;
    } else {
      child.self = true;
    }
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
  for (const auto& [name, child] : node.children) out[name] = NodeToFieldsV1(child);
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

bool FieldSet::HasUnder(const FieldPath& path) const {
  const Node* n = Lookup(path);
  return n != nullptr && !n->children.empty();
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

void FieldSet::Remove(const FieldPath& path) {
  Node* cur = &root_;
  for (const std::string& p : path) {
    auto it = cur->children.find(p);
    if (it == cur->children.end()) return;
    cur = &it->second;
  }
  cur->self = false;
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

FieldSet FieldSet::Intersection(const FieldSet& other) const {
  FieldSet out;
  for (const FieldPath& p : Members()) {
    if (other.Has(p)) out.Insert(p);
  }
  return out;
}

}  // namespace fluxcpp::apimachinery
