#pragma once
// Field accessors with the exact semantics of kstatus' util.go, used by the
// status rules and exposed for callers (CEL readers, tests).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kstatus/status.h"
#include "libs/object/value.h"

namespace fluxcpp::kstatus {

// The value at a dot path (".spec.replicas" or "spec.replicas") when it is an
// integer; `fallback` when missing, null, a float or any other type.
int64_t GetIntField(const object::Value& obj, std::string_view field_path, int64_t fallback);

// The value at a dot path when it is a string; `fallback` otherwise.
std::string GetStringField(const object::Value& obj, std::string_view field_path,
                           std::string_view fallback);

// `.status.conditions` decoded as kstatus does (runtime.DefaultUnstructuredConverter
// into {type,status,reason,message} strings). A missing or null status or
// conditions list yields an empty vector; a list or entry of the wrong shape is an
// InvalidArgument error.
absl::StatusOr<std::vector<Condition>> ReadConditions(const object::Value& obj);

// The first condition of `type` whose status is `status`, if any.
const Condition* FindCondition(const std::vector<Condition>& conditions, std::string_view type,
                               std::string_view status);

// The Go-style "accessor" lookups of k8s.io/apimachinery unstructured helpers:
// found=false when a key is missing or an intermediate value is null; an error
// when an intermediate value is not an object or the leaf has the wrong type.
struct NestedInt {
  bool found = false;
  int64_t value = 0;
};
absl::StatusOr<NestedInt> NestedInt64(const object::Value& obj,
                                      std::initializer_list<std::string_view> path);

struct NestedStr {
  bool found = false;
  std::string value;
};
absl::StatusOr<NestedStr> NestedString(const object::Value& obj,
                                       std::initializer_list<std::string_view> path);

// Group part of an object's apiVersion ("apps/v1" -> "apps", "v1" -> "").
std::string GroupOf(const object::Value& obj);

}  // namespace fluxcpp::kstatus
