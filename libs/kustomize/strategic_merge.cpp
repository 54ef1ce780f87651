#include "libs/kustomize/strategic_merge.h"

#include "absl/strings/match.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/merge_schema.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

bool IsDirectiveKey(const std::string& k) { return !k.empty() && k[0] == '$'; }

std::string Directive(const Value& v) {
  if (!v.is_object()) return "";
  auto it = v.find("$patch");
  if (it == v.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::optional<Value> Clean(const Value& v, const SchemaRef* ref);

// Removes directives and null fields from content that has nothing to merge with.
std::optional<Value> CleanMap(const Value& v, const SchemaType* type) {
  if (Directive(v) == "delete") return std::nullopt;
  Value out = Value::object();
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (IsDirectiveKey(it.key())) continue;
    if (it.value().is_null()) continue;
    const SchemaRef* child = type != nullptr ? type->Field(it.key()) : nullptr;
    std::optional<Value> c = Clean(it.value(), child);
    if (c) out[it.key()] = std::move(*c);
  }
  return out;
}

std::optional<Value> Clean(const Value& v, const SchemaRef* ref) {
  if (v.is_null()) return std::nullopt;
  if (v.is_object()) return CleanMap(v, ref != nullptr ? ref->type : nullptr);
  if (v.is_array()) {
    Value out = Value::array();
    for (const Value& item : v) {
      if (item.is_object()) {
        std::string d = Directive(item);
        if (!d.empty() && item.size() == 1) continue;  // list-level directive element
        std::optional<Value> c = CleanMap(item, ref != nullptr ? ref->element : nullptr);
        if (c) out.push_back(std::move(*c));
      } else {
        out.push_back(item);
      }
    }
    return out;
  }
  return v;
}

absl::StatusOr<std::optional<Value>> Merge(const Value* dest, const Value& patch, const SchemaRef* ref);

absl::StatusOr<std::optional<Value>> MergeMap(const Value* dest, const Value& patch, const SchemaType* type) {
  std::string d = Directive(patch);
  if (d == "delete") return std::optional<Value>();
  if (dest == nullptr || dest->is_null() || !dest->is_object() || d == "replace") {
    return CleanMap(patch, type);
  }
  Value out = *dest;
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& key = it.key();
    if (IsDirectiveKey(key)) continue;
    const SchemaRef* child = type != nullptr ? type->Field(key) : nullptr;
    auto existing = out.find(key);
    const Value* dchild = existing == out.end() ? nullptr : &*existing;
    FLUX_ASSIGN_OR_RETURN(std::optional<Value> merged, Merge(dchild, it.value(), child));
    if (merged) {
      out[key] = std::move(*merged);
    } else {
      out.erase(key);
    }
  }
  return std::optional<Value>(std::move(out));
}

std::string KeyValue(const Value& elem, const std::string& key) {
  if (!elem.is_object()) return "";
  auto it = elem.find(key);
  if (it == elem.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

bool KeysMatch(const Value& a, const Value& b, const std::vector<std::string>& keys) {
  bool common = false;
  for (const std::string& k : keys) {
    std::string va = KeyValue(a, k), vb = KeyValue(b, k);
    if (va == vb) {
      if (!va.empty()) common = true;
      continue;
    }
    if (!va.empty() && !vb.empty()) return false;
  }
  return common;
}

absl::StatusOr<std::optional<Value>> MergeList(const Value* dest, const Value& patch, const SchemaRef& ref) {
  // List-level directive: an element {$patch: replace|delete}.
  for (const Value& item : patch) {
    if (item.is_object() && item.contains("$patch") && item.size() == 1) {
      std::string d = Directive(item);
      if (d == "delete") return std::optional<Value>();
      if (d == "replace") return Clean(patch, &ref);
    }
  }
  if (dest == nullptr || dest->is_null() || !dest->is_array()) return Clean(patch, &ref);
  // kustomize merges with "prepend" direction: the patch's elements come
  // first (merged with their matches), then the remaining original elements.
  Value out = Value::array();
  if (ref.keys.empty()) {
    for (const Value& item : patch) {
      bool found = false;
      for (const Value& have : out) found = found || have == item;
      if (!found) out.push_back(item);
    }
    for (const Value& item : *dest) {
      bool found = false;
      for (const Value& have : out) found = found || have == item;
      if (!found) out.push_back(item);
    }
    return std::optional<Value>(std::move(out));
  }
  std::vector<bool> used(dest->size(), false);
  for (const Value& item : patch) {
    if (!item.is_object()) {
      out.push_back(item);
      continue;
    }
    int match = -1;
    for (size_t i = 0; i < dest->size(); ++i) {
      if (!used[i] && KeysMatch((*dest)[i], item, ref.keys)) {
        match = static_cast<int>(i);
        break;
      }
    }
    if (match < 0) {
      if (Directive(item) == "delete") continue;
      std::optional<Value> c = CleanMap(item, ref.element);
      if (c) out.push_back(std::move(*c));
      continue;
    }
    used[static_cast<size_t>(match)] = true;
    FLUX_ASSIGN_OR_RETURN(std::optional<Value> merged, MergeMap(&(*dest)[static_cast<size_t>(match)], item, ref.element));
    if (merged && !(merged->is_object() && merged->empty())) out.push_back(std::move(*merged));
  }
  for (size_t i = 0; i < dest->size(); ++i) {
    if (!used[i]) out.push_back((*dest)[i]);
  }
  return std::optional<Value>(std::move(out));
}

absl::StatusOr<std::optional<Value>> Merge(const Value* dest, const Value& patch, const SchemaRef* ref) {
  if (patch.is_null()) return std::optional<Value>();
  if (patch.is_object()) return MergeMap(dest, patch, ref != nullptr ? ref->type : nullptr);
  if (patch.is_array()) {
    if (ref != nullptr && ref->merge_list) return MergeList(dest, patch, *ref);
    return Clean(patch, ref);
  }
  return std::optional<Value>(patch);
}

}  // namespace

absl::StatusOr<std::optional<Value>> StrategicMerge(const Value& target, const Value& patch) {
  const SchemaType* root =
      SchemaForKind(object::GetString(target, {"apiVersion"}), object::GetString(target, {"kind"}));
  return MergeMap(&target, patch, root);
}

}  // namespace fluxcpp::kustomize
