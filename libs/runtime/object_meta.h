#pragma once
// Small read helpers on Kubernetes objects (object::Value) used across the
// runtime library.

#include <string>

#include "libs/kube/client.h"
#include "libs/object/value.h"

namespace fluxcpp::runtime {

// "namespace/name", or "name" for cluster-scoped objects.
std::string ObjectKeyOf(const object::Value& obj);
// From apiVersion ("group/version" or "version") and kind.
kube::GroupVersionKind GvkOf(const object::Value& obj);
inline std::string NameOf(const object::Value& obj) { return object::GetString(obj, {"metadata", "name"}); }
inline std::string NamespaceOf(const object::Value& obj) {
  return object::GetString(obj, {"metadata", "namespace"});
}
inline std::string ResourceVersionOf(const object::Value& obj) {
  return object::GetString(obj, {"metadata", "resourceVersion"});
}
// Value of annotation `key`, or "" when absent.
std::string AnnotationOf(const object::Value& obj, std::string_view key);

}  // namespace fluxcpp::runtime
