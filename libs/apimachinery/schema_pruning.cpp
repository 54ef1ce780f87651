#include "libs/apimachinery/schema_pruning.h"

#include "absl/strings/str_cat.h"

namespace fluxcpp::apimachinery {
namespace {

using object::Value;

std::string Join(const std::string& base, const std::string& key) {
  return base.empty() ? key : absl::StrCat(base, ".", key);
}

bool Preserves(const Value& schema) {
  auto it = schema.find("x-kubernetes-preserve-unknown-fields");
  return it != schema.end() && it->is_boolean() && it->get<bool>();
}

void Prune(Value& obj, const Value& schema, const std::string& path, bool root, std::vector<std::string>& out) {
  if (!schema.is_object()) return;
  if (obj.is_object()) {
    const Value* props = nullptr;
    if (auto it = schema.find("properties"); it != schema.end() && it->is_object()) props = &*it;
    const Value* additional = nullptr;
    bool additional_any = false;
    if (auto it = schema.find("additionalProperties"); it != schema.end()) {
      if (it->is_object()) additional = &*it;
      if (it->is_boolean() && it->get<bool>()) additional_any = true;
    }
    bool embedded = root || schema.value("x-kubernetes-embedded-resource", false);
    bool preserve = Preserves(schema);
    std::vector<std::string> drop;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& key = it.key();
      if (embedded && (key == "apiVersion" || key == "kind" || key == "metadata")) {
        if (key == "metadata" || props == nullptr || !props->contains(key)) continue;
      }
      if (props != nullptr) {
        if (auto p = props->find(key); p != props->end()) {
          Prune(it.value(), *p, Join(path, key), false, out);
          continue;
        }
      }
      if (additional != nullptr) {
        Prune(it.value(), *additional, Join(path, key), false, out);
        continue;
      }
      if (preserve || additional_any) continue;
      drop.push_back(key);
      out.push_back(Join(path, key));
    }
    for (const std::string& key : drop) obj.erase(key);
  } else if (obj.is_array()) {
    auto items = schema.find("items");
    if (items == schema.end() || !items->is_object()) return;
    for (size_t i = 0; i < obj.size(); ++i) {
      Prune(obj[i], *items, absl::StrCat(path, "[", i, "]"), false, out);
    }
  }
}

}  // namespace

std::vector<std::string> PruneUnknownFields(Value& obj, const Value& schema) {
  std::vector<std::string> out;
  Prune(obj, schema, "", true, out);
  return out;
}

}  // namespace fluxcpp::apimachinery
