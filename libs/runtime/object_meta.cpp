#include "libs/runtime/object_meta.h"

#include "absl/strings/str_cat.h"

namespace fluxcpp::runtime {

std::string ObjectKeyOf(const object::Value& obj) {
  std::string ns = NamespaceOf(obj);
  std::string name = NameOf(obj);
  return ns.empty() ? name : absl::StrCat(ns, "/", name);
}

kube::GroupVersionKind GvkOf(const object::Value& obj) {
  std::string api_version = object::GetString(obj, {"apiVersion"});
  kube::GroupVersionKind gvk;
  size_t slash = api_version.find('/');
  if (slash == std::string::npos) {
    gvk.version = api_version;
  } else {
    gvk.group = api_version.substr(0, slash);
    gvk.version = api_version.substr(slash + 1);
  }
  gvk.kind = object::GetString(obj, {"kind"});
  return gvk;
}

std::string AnnotationOf(const object::Value& obj, std::string_view key) {
  const object::Value* annotations = object::Find(obj, {"metadata", "annotations"});
  if (annotations == nullptr || !annotations->is_object()) return "";
  auto it = annotations->find(key);
  return it != annotations->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace fluxcpp::runtime
