#pragma once
// CEL lexer + recursive-descent parser (cel-spec grammar, with macros and the
// OptionalTypes syntax `.?field`, `[?index]`, `[?elem]`, `{?key: value}`).
//
// Input is untrusted: the source is limited to ParseOptions::max_size bytes and
// nesting to max_depth; errors name the line and column ("1:7: ...").

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/cel/ast.h"

namespace fluxcpp::cel {

struct ParseOptions {
  size_t max_size = 100000;  // bytes of source
  int max_depth = 250;       // nesting of sub-expressions
  bool enable_optional_syntax = true;
  // Backtick-quoted field names (a.`b-c`), cel-go's opt-in EnableIdentEscapeSyntax;
  // Flux does not enable it.
  bool enable_quoted_identifiers = false;
};

absl::StatusOr<std::unique_ptr<Expr>> Parse(std::string_view source, const ParseOptions& options = {});

}  // namespace fluxcpp::cel
