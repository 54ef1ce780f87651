#pragma once
// YAML <-> object::Value with the scalar rules Kubernetes uses
// (sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1 resolution):
//   plain  null ~ "" Null NULL           -> null
//   plain  true/yes/on/y (any case form) -> bool, likewise false/no/off/n
//   plain  12, -3, 0x1F, 0o17, 0755, 1_000 -> integer; 1.5, 1e3, .inf -> float
//   quoted or !!str                      -> always a string
//   timestamps stay strings; map keys become strings; "<<" merge keys apply.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::object {

// How plain scalars resolve and whether duplicate keys are an error. The
// defaults are Kubernetes' (sigs.k8s.io/yaml); kustomize reads with go-yaml
// v3 rules and rejects duplicates (libs/kustomize/kyaml_reader.h).
struct YamlReadOptions {
  Value (*resolve_plain)(std::string_view) = nullptr;  // nullptr = ResolvePlainScalar
  bool allow_duplicate_keys = true;                    // true: the last one wins
};

// Every non-empty document of a multi-document stream ("---" separated).
// Null/empty documents are skipped. Errors carry the line ("yaml: line N: ...").
absl::StatusOr<std::vector<Value>> ParseYamlDocuments(std::string_view text, const YamlReadOptions& options = {});

// Exactly one document (an empty input yields null).
absl::StatusOr<Value> ParseYaml(std::string_view text);

// True when `s` has YAML's float syntax: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool IsYamlStyleFloat(std::string_view s);

// The value a plain (unquoted, untagged) YAML scalar resolves to.
Value ResolvePlainScalar(std::string_view text);

// Block-style YAML in kustomize's (kyaml's) layout: 2-space indent, sequences
// under a key not indented, keys in stored order, strings quoted only when a
// plain scalar would read back differently, multi-line strings as literals.
std::string ToYaml(const Value& value);

// Documents joined with "---\n" separators.
std::string ToYamlStream(const std::vector<Value>& docs);

}  // namespace fluxcpp::object
