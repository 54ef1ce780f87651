#include "libs/runtime/index.h"

#include "absl/strings/str_cat.h"

namespace fluxcpp::runtime {

std::string ReferenceIndexValue(std::string_view kind, std::string_view ns, std::string_view name) {
  return absl::StrCat(std::string(kind), "/", std::string(ns), "/", std::string(name));
}

IndexFunc IndexByReference(std::vector<std::string> path) {
  return [path = std::move(path)](const object::Value& obj) -> std::vector<std::string> {
    const object::Value* ref = &obj;
    for (const std::string& field : path) {
      if (!ref->is_object()) return {};
      auto it = ref->find(field);
      if (it == ref->end()) return {};
      ref = &*it;
    }
    std::string name = object::GetString(*ref, {"name"});
    if (name.empty()) return {};
    std::string ns = object::GetString(*ref, {"namespace"});
    if (ns.empty()) ns = object::GetString(obj, {"metadata", "namespace"});
    return {ReferenceIndexValue(object::GetString(*ref, {"kind"}), ns, name)};
  };
}

}  // namespace fluxcpp::runtime
