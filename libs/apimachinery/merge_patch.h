#pragma once
// JSON merge patch (RFC 7386), the `application/merge-patch+json` patch type.
//
// Pure functions over object::Value; thread-compatible.

#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

// Returns `target` with `patch` applied: objects merge recursively, a null in
// the patch removes the key, anything else (arrays, scalars) replaces.
// A non-object patch replaces the whole target.
object::Value ApplyMergePatch(const object::Value& target, const object::Value& patch);

// Applies `patch` to `target` in place (same rules as ApplyMergePatch).
void MergePatchInPlace(object::Value& target, const object::Value& patch);

// The smallest merge patch P with ApplyMergePatch(from, P) == to, when `to`
// is an object; otherwise `to` itself. Keys removed in `to` become nulls.
object::Value CreateMergePatch(const object::Value& from, const object::Value& to);

}  // namespace fluxcpp::apimachinery
