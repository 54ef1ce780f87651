#pragma once
// RFC 6902 JSON patches (add, remove, replace, move, copy, test), given as a
// JSON array or a YAML list of operations, as kustomize's patchesJson6902 and
// `patches` entries with a JSON-patch body.

#include <string_view>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Parses the operations; InvalidArgument when `text` is not a list of ops.
absl::StatusOr<object::Value> ParseJsonPatch(std::string_view text);

// Applies parsed operations to `target`.
absl::StatusOr<object::Value> ApplyJsonPatch(const object::Value& target, const object::Value& ops);

}  // namespace fluxcpp::kustomize
