#pragma once
// Path handling for untrusted input (archives, Git trees, kustomization paths).

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fluxcpp {

// Lexically cleans a slash-separated path like Go's path.Clean ("a/./b/../c" -> "a/c").
std::string CleanPath(std::string_view path);

// Joins `unsafe` under `root` so the result can never leave root, like
// cyphar/filepath-securejoin: ".." cannot climb above root and an absolute
// `unsafe` is taken as relative to root. Symlinks inside root are resolved and
// kept inside root. `root` must be an absolute, existing directory.
absl::StatusOr<std::string> SecureJoin(const std::string& root, std::string_view unsafe);

// True when `relative` is a clean relative path that stays inside its root:
// not absolute, no ".." component, no NUL.
bool IsSafeRelativePath(std::string_view relative);

}  // namespace fluxcpp
