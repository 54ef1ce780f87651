#pragma once
// Shell-style pattern matching of the envsubst fork's path.Match (Go's
// path.Match, modified so that '*' and '?' also match '/', and a trailing '*'
// matches the rest of the name). Used by ${var#pat} ${var##pat} ${var%pat}
// ${var%%pat}.
//
//   '*'            any sequence of bytes
//   '?'            any single character (one UTF-8 sequence)
//   '[' ['^'] { c | '\\' c | lo '-' hi } ']'   character class
//   '\\' c         the character c
//   c              itself

#include <string_view>

#include "absl/status/statusor.h"

namespace fluxcpp::envsubst {

// Whether `name` matches all of `pattern`. InvalidArgument "syntax error in
// pattern" for a malformed pattern (reported only when reached, as in Go).
absl::StatusOr<bool> GlobMatch(std::string_view pattern, std::string_view name);

}  // namespace fluxcpp::envsubst
