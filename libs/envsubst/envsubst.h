#pragma once
// Flux's post-build variable substitution language (github.com/fluxcd/pkg/envsubst),
// bash-like ${...} expressions over a set of variables.
//
// Supported (exactly what the Go parser accepts):
//   ${var}                          value
//   ${#var}                         length in bytes
//   ${var^} ${var^^}                upper-case first rune / all
//   ${var,} ${var,,}                lower-case first rune / all
//   ${var:pos} ${var:pos:len}       substring (bytes; negative pos counts from the end)
//   ${var#glob} ${var##glob}        strip shortest / longest matching prefix
//   ${var%glob} ${var%%glob}        strip shortest / longest matching suffix
//   ${var=dflt} ${var:=dflt} ${var:-dflt}   dflt when var is unset or empty
//   ${var/str/rep} ${var//str/rep}  replace first / all occurrences (literal, not glob)
//   ${var/#str/rep} ${var/%str/rep} replace a literal prefix / suffix
//   defaults and arguments may nest: ${a:=${b}-x}
//   $$ -> $ (so $${var} renders "${var}"); \/ and \\ escape inside / patterns
//   a bare $var (no braces) is left as is
//
// Behaviour kept from the Go code where Flux's docs say otherwise:
//   ${var-dflt} ${var+x} ${var?x} fail to parse ("missing closing brace");
//   ${var:+x} and ${var:?x} parse and act like ${var:-x};
//   ${var/#str/} and ${var/%str/} (empty replacement) leave the value unchanged.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace fluxcpp::envsubst {

// Looks a variable up: its value, or nullopt when it is not defined.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

// Substitutes every ${...} expression of `text`.
//   strict = true:  referencing an undefined variable with an operator that
//                   does not provide a default fails with NotFound
//                   `variable not set (strict mode): "<name>"`
//   strict = false: an undefined variable is the empty string
// Parse errors are InvalidArgument with Go's messages ("bad substitution",
// "missing closing brace", "unable to parse variable name", "unable to parse
// substitution within function", "unable to parse default function").
absl::StatusOr<std::string> Substitute(std::string_view text, const Lookup& lookup, bool strict);

// Same, over a fixed set of variables.
absl::StatusOr<std::string> Substitute(std::string_view text,
                                       const std::map<std::string, std::string>& vars, bool strict);

// The variable-name rule of kustomize-controller.
inline constexpr std::string_view kVarNamePattern = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";

// OK when `name` matches kVarNamePattern (ASCII letters, digits, '_', not
// starting with a digit); else InvalidArgument
// `'<name>' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`.
absl::Status ValidateVarName(std::string_view name);

}  // namespace fluxcpp::envsubst
