#include "libs/apimachinery/structured_merge.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "libs/apimachinery/semantic_equal.h"

namespace fluxcpp::apimachinery {
namespace {

using object::Value;

const Value* Member(const Value* schema, const char* key) {
  if (schema == nullptr || !schema->is_object()) return nullptr;
  auto it = schema->find(key);
  return it == schema->end() ? nullptr : &*it;
}

// The key fields of a map-list item, with schema defaults for missing ones.
Value KeysOf(const Value& item, const MergeSchema& list) {
  Value keys = Value::object();
  MergeSchema items = list.Items();
  for (const std::string& k : list.MapKeys()) {
    if (auto it = item.find(k); it != item.end() && !it->is_null()) {
      keys[k] = *it;
    } else if (const Value* d = Member(items.Field(k).raw(), "default"); d != nullptr) {
      keys[k] = *d;
    }
  }
  return keys;
}

void AddAll(const Value& v, const MergeSchema& s, FieldPath& path, FieldSet& out);

void AddMap(const Value& obj, const MergeSchema& s, FieldPath& path, FieldSet& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.value().is_null()) continue;
    path.push_back(FieldElement(it.key()));
    AddAll(it.value(), s.Field(it.key()), path, out);
    path.pop_back();
  }
}

void AddAll(const Value& v, const MergeSchema& s, FieldPath& path, FieldSet& out) {
  if (v.is_object() && !v.empty() && !s.AtomicMap()) {
    AddMap(v, s, path, out);
  } else if (v.is_array() && !v.empty() && s.GetListType() != MergeSchema::ListType::kAtomic) {
    MergeSchema items = s.Items();
    for (const Value& item : v) {
      path.push_back(ElementOf(item, s));
      out.Insert(path);
      if (s.GetListType() == MergeSchema::ListType::kMap && item.is_object()) AddMap(item, items, path, out);
      path.pop_back();
    }
  } else {
    out.Insert(path);
  }
}

Value Merge(const Value& live, const Value& applied, const MergeSchema& s);

Value MergeLists(const Value& live, const Value& applied, const MergeSchema& s) {
  bool is_map = s.GetListType() == MergeSchema::ListType::kMap;
  std::vector<std::string> lhs, rhs;
  std::map<std::string, size_t> lhs_index, rhs_index;
  for (size_t i = 0; i < live.size(); ++i) {
    lhs.push_back(ElementOf(live[i], s));
    lhs_index.emplace(lhs.back(), i);
  }
  for (size_t i = 0; i < applied.size(); ++i) {
    rhs.push_back(ElementOf(applied[i], s));
    rhs_index.emplace(rhs.back(), i);
  }
  Value out = Value::array();
  std::set<std::string> emitted;
  std::set<size_t> used_lhs;
  auto emit = [&](const std::string& pe) {
    if (!emitted.insert(pe).second) return;
    auto l = lhs_index.find(pe);
    auto r = rhs_index.find(pe);
    if (l != lhs_index.end()) used_lhs.insert(l->second);
    if (r == rhs_index.end()) {
      out.push_back(live[l->second]);
    } else if (l == lhs_index.end() || !is_map) {
      out.push_back(is_map ? Merge(Value(), applied[r->second], s.Items()) : applied[r->second]);
    } else {
      out.push_back(Merge(live[l->second], applied[r->second], s.Items()));
    }
  };
  // Like structured-merge-diff: walk both lists; items only one side has keep
  // their place, shared items follow the applied order.
  size_t li = 0, ri = 0;
  while (li < lhs.size() || ri < rhs.size()) {
    if (li < lhs.size() && emitted.count(lhs[li]) != 0) {
      // Live items sharing a key (written by updates) are kept as they are.
      if (used_lhs.count(li) == 0) out.push_back(live[li]);
      ++li;
    } else if (ri < rhs.size() && emitted.count(rhs[ri]) != 0) {
      ++ri;
    } else if (li < lhs.size() && ri < rhs.size()) {
      if (lhs[li] == rhs[ri]) {
        emit(lhs[li]);
        ++li, ++ri;
      } else if (rhs_index.count(lhs[li]) == 0) {
        emit(lhs[li++]);
      } else {
        emit(rhs[ri++]);
      }
    } else if (li < lhs.size()) {
      emit(lhs[li++]);
    } else {
      emit(rhs[ri++]);
    }
  }
  return out;
}

Value Merge(const Value& live, const Value& applied, const MergeSchema& s) {
  if (applied.is_object() && !s.AtomicMap()) {
    Value out = live.is_object() ? live : Value::object();
    for (auto it = applied.begin(); it != applied.end(); ++it) {
      if (it.value().is_null()) {
        out.erase(it.key());
        continue;
      }
      auto found = out.find(it.key());
      Value merged = Merge(found != out.end() ? *found : Value(), it.value(), s.Field(it.key()));
      out[it.key()] = std::move(merged);
    }
    return out;
  }
  if (applied.is_array() && s.GetListType() != MergeSchema::ListType::kAtomic) {
    return MergeLists(live.is_array() ? live : Value::array(), applied, s);
  }
  return applied;
}

// Index of the item `pe` names in `list`, or npos.
size_t FindItem(const Value& list, const std::string& pe, const MergeSchema& s) {
  if (!list.is_array()) return std::string::npos;
  if (absl::StartsWith(pe, "i:")) {
    size_t i = std::stoul(pe.substr(2));
    return i < list.size() ? i : std::string::npos;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (absl::StartsWith(pe, "v:")) {
      if (ValueElement(list[i]) == pe) return i;
    } else if (list[i].is_object() && KeyElement(KeysOf(list[i], s)) == pe) {
      return i;
    }
  }
  return std::string::npos;
}

void DiffValue(const Value& a, const Value& b, const MergeSchema& s, FieldPath& path, FieldSet& changed,
               FieldSet& removed);

void DiffMaps(const Value& from, const Value& to, const MergeSchema& s, FieldPath& path, FieldSet& changed,
              FieldSet& removed) {
  for (auto it = to.begin(); it != to.end(); ++it) {
    path.push_back(FieldElement(it.key()));
    auto old = from.find(it.key());
    if (old == from.end()) {
      if (!it.value().is_null()) AddAll(it.value(), s.Field(it.key()), path, changed);
    } else {
      DiffValue(*old, it.value(), s.Field(it.key()), path, changed, removed);
    }
    path.pop_back();
  }
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (to.contains(it.key())) continue;
    path.push_back(FieldElement(it.key()));
    removed.Insert(path);
    path.pop_back();
  }
}

void DiffValue(const Value& a, const Value& b, const MergeSchema& s, FieldPath& path, FieldSet& changed,
               FieldSet& removed) {
  bool granular_list = s.GetListType() != MergeSchema::ListType::kAtomic;
  if (a.is_object() && b.is_object() && !a.empty() && !b.empty() && !s.AtomicMap()) {
    DiffMaps(a, b, s, path, changed, removed);
  } else if (a.is_array() && b.is_array() && !a.empty() && !b.empty() && granular_list) {
    bool is_map = s.GetListType() == MergeSchema::ListType::kMap;
    std::map<std::string, const Value*> before;
    for (const Value& item : a) before.emplace(ElementOf(item, s), &item);
    std::set<std::string> after;
    for (const Value& item : b) {
      std::string pe = ElementOf(item, s);
      after.insert(pe);
      path.push_back(pe);
      auto old = before.find(pe);
      if (old == before.end()) {
        changed.Insert(path);
        if (is_map && item.is_object()) AddMap(item, s.Items(), path, changed);
      } else if (is_map && item.is_object() && old->second->is_object()) {
        DiffMaps(*old->second, item, s.Items(), path, changed, removed);
      }
      path.pop_back();
    }
    for (const auto& [pe, item] : before) {
      if (after.count(pe) != 0) continue;
      path.push_back(pe);
      removed.Insert(path);
      path.pop_back();
    }
  } else if (!SemanticallyEqual(a, b)) {
    AddAll(b, s, path, changed);
  }
}

void CheckLists(const Value& v, const MergeSchema& s, const std::string& path, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) CheckLists(it.value(), s.Field(it.key()), path + "." + it.key(), out);
    return;
  }
  if (!v.is_array()) return;
  MergeSchema items = s.Items();
  if (s.GetListType() == MergeSchema::ListType::kAtomic) {
    for (size_t i = 0; i < v.size(); ++i) CheckLists(v[i], items, path + "[" + std::to_string(i) + "]", out);
    return;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    const Value& item = v[i];
    if (s.GetListType() == MergeSchema::ListType::kMap) {
      if (!item.is_object()) {
        out.push_back(path + ": element " + std::to_string(i) + ": expected a map in an associative list");
        continue;
      }
      Value keys = KeysOf(item, s);
      bool complete = true;
      for (const std::string& k : s.MapKeys()) {
        if (!keys.contains(k)) {
          out.push_back(path + ": element " + std::to_string(i) +
                        ": associative list with keys has an element that omits key field \"" + k +
                        "\" (and doesn't have default value)");
          complete = false;
          break;
        }
      }
      if (!complete) continue;
      CheckLists(item, items, path + FieldPathString({ElementOf(item, s)}), out);
    }
    std::string pe = ElementOf(item, s);
    if (!seen.insert(pe).second) {
      FieldPath p{pe};
      out.push_back(path + ": duplicate entries for key " + FieldPathString(p));
    }
  }
}

}  // namespace

std::vector<std::string> CheckAssociativeLists(const Value& obj, const MergeSchema& schema) {
  std::vector<std::string> out;
  if (obj.is_object()) {
    for (auto it = obj.begin(); it != obj.end(); ++it) CheckLists(it.value(), schema.Field(it.key()), "." + it.key(), out);
  }
  return out;
}

MergeSchema::MergeSchema(const Value* schema) : schema_(schema != nullptr && schema->is_object() ? schema : nullptr) {}

MergeSchema MergeSchema::Field(const std::string& name) const {
  if (const Value* props = Member(schema_, "properties"); props != nullptr && props->is_object()) {
    if (auto it = props->find(name); it != props->end()) return MergeSchema(&*it);
  }
  if (const Value* add = Member(schema_, "additionalProperties"); add != nullptr && add->is_object()) {
    return MergeSchema(add);
  }
  return MergeSchema(nullptr);
}

MergeSchema MergeSchema::Items() const { return MergeSchema(Member(schema_, "items")); }

MergeSchema::ListType MergeSchema::GetListType() const {
  const Value* t = Member(schema_, "x-kubernetes-list-type");
  if (t == nullptr || !t->is_string()) return ListType::kAtomic;
  if (*t == "map" && !MapKeys().empty()) return ListType::kMap;
  if (*t == "set") return ListType::kSet;
  return ListType::kAtomic;
}

std::vector<std::string> MergeSchema::MapKeys() const {
  std::vector<std::string> out;
  if (const Value* keys = Member(schema_, "x-kubernetes-list-map-keys"); keys != nullptr && keys->is_array()) {
    for (const Value& k : *keys) {
      if (k.is_string()) out.push_back(k.get<std::string>());
    }
  }
  return out;
}

bool MergeSchema::AtomicMap() const {
  const Value* t = Member(schema_, "x-kubernetes-map-type");
  return t != nullptr && *t == "atomic";
}

std::string ElementOf(const Value& item, const MergeSchema& list) {
  switch (list.GetListType()) {
    case MergeSchema::ListType::kMap:
      if (item.is_object()) return KeyElement(KeysOf(item, list));
      return ValueElement(item);
    case MergeSchema::ListType::kSet:
      return ValueElement(item);
    case MergeSchema::ListType::kAtomic:
      break;
  }
  return "";
}

FieldSet FieldSetOf(const Value& obj, const MergeSchema& schema) {
  FieldSet out;
  FieldPath path;
  if (obj.is_object()) AddMap(obj, schema, path, out);
  return out;
}

Value MergeApplied(const Value& live, const Value& applied, const MergeSchema& schema) {
  return Merge(live, applied, schema);
}

const Value* ValueAtPath(const Value& obj, const FieldPath& path, const MergeSchema& schema) {
  const Value* cur = &obj;
  MergeSchema s = schema;
  for (const std::string& pe : path) {
    if (absl::StartsWith(pe, "f:")) {
      if (!cur->is_object()) return nullptr;
      auto it = cur->find(pe.substr(2));
      if (it == cur->end()) return nullptr;
      cur = &*it;
      s = s.Field(pe.substr(2));
    } else {
      size_t i = FindItem(*cur, pe, s);
      if (i == std::string::npos) return nullptr;
      cur = &(*cur)[i];
      s = s.Items();
    }
  }
  return cur;
}

bool RemovePath(Value& obj, const FieldPath& path, const MergeSchema& schema, size_t keep_depth) {
  if (path.empty()) return false;
  std::vector<Value*> chain{&obj};
  MergeSchema s = schema;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    const std::string& pe = path[i];
    Value* cur = chain.back();
    if (absl::StartsWith(pe, "f:")) {
      if (!cur->is_object()) return false;
      auto it = cur->find(pe.substr(2));
      if (it == cur->end()) return false;
      chain.push_back(&*it);
      s = s.Field(pe.substr(2));
    } else {
      size_t idx = FindItem(*cur, pe, s);
      if (idx == std::string::npos) return false;
      chain.push_back(&(*cur)[idx]);
      s = s.Items();
    }
  }
  Value* parent = chain.back();
  const std::string& last = path.back();
  if (absl::StartsWith(last, "f:")) {
    if (!parent->is_object() || parent->erase(last.substr(2)) == 0) return false;
  } else {
    size_t idx = FindItem(*parent, last, s);
    if (idx == std::string::npos) return false;
    parent->erase(idx);
  }
  // chain[d] is the value at path[0..d); drop maps and lists left empty by
  // the removal (what kube's typed objects serialise as absent).
  for (size_t depth = chain.size() - 1; depth > keep_depth && depth >= 1; --depth) {
    if (!(chain[depth]->is_object() || chain[depth]->is_array()) || !chain[depth]->empty()) break;
    if (!absl::StartsWith(path[depth - 1], "f:") || !chain[depth - 1]->is_object()) break;
    chain[depth - 1]->erase(path[depth - 1].substr(2));
  }
  return true;
}

void DiffFields(const Value& from, const Value& to, const MergeSchema& schema, FieldSet& changed, FieldSet& removed) {
  FieldPath path;
  if (from.is_object() && to.is_object()) DiffMaps(from, to, schema, path, changed, removed);
}

}  // namespace fluxcpp::apimachinery
