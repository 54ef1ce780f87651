#pragma once
// The parse tree and evaluator of Flux's envsubst (github.com/fluxcd/pkg/envsubst,
// a fork of drone/envsubst), ported construct for construct so that every quirk
// of the Go scanner is kept: what parses, what is an error, and what renders.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::envsubst {

// A node of the parse tree.
//   kText: literal text (`value`), escapes already applied
//   kFunc: ${param}, or ${<name-prefix>param<name><args>} e.g. name ":-" for
//          ${param:-args}; `name` is empty for a bare ${param}
//   kList: a sequence, rendered by concatenation
struct Node {
  enum class Kind { kText, kFunc, kList };
  Kind kind = Kind::kText;
  std::string value;
  std::string param;
  std::string name;
  std::vector<Node> args;
  std::vector<Node> nodes;

  bool operator==(const Node&) const = default;
};

// Deepest ${...} nesting accepted (Go has no limit; we bound recursion).
inline constexpr int kMaxNesting = 256;

// Parses `text`. Errors (InvalidArgument) carry Go's messages: "bad
// substitution", "missing closing brace", "unable to parse variable name",
// "unable to parse substitution within function", "unable to parse default
// function". The empty text parses to an empty kText node.
absl::StatusOr<Node> Parse(std::string_view text);

// Maps a variable name to (value, exists). A variable that does not exist is an
// error unless the node's operator provides a default (- = ? + :- := :? :+).
using Mapping = std::function<std::optional<std::string>(std::string_view name)>;

// Renders a parsed tree. Errors: NotFound `variable not set (strict mode):
// "<name>"`; InvalidArgument for a substring whose bounds Go would panic on.
absl::StatusOr<std::string> Execute(const Node& root, const Mapping& mapping);

}  // namespace fluxcpp::envsubst
