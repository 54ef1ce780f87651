#pragma once
// JSON patch (RFC 6902), the `application/json-patch+json` patch type, and
// JSON pointers (RFC 6901).
//
// Pure functions over object::Value; thread-compatible.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

// Splits a JSON pointer ("/a/b~1c") into unescaped tokens ({"a","b/c"}).
// InvalidArgument when non-empty and not starting with '/'.
absl::StatusOr<std::vector<std::string>> ParseJsonPointer(std::string_view pointer);

// Applies the operations of `patch` (an array of {op, path, value, from})
// in order: add, remove, replace, move, copy, test. The whole patch applies
// or nothing does. Errors:
//   InvalidArgument    malformed patch (not an array, unknown op, bad pointer)
//   FailedPrecondition an operation does not apply (missing path, failed test)
absl::StatusOr<object::Value> ApplyJsonPatch(const object::Value& doc, const object::Value& patch);

}  // namespace fluxcpp::apimachinery
