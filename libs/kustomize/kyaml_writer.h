#pragma once
// The YAML text `kustomize build` prints for one resource.
//
// kustomize (v5) prints each resource by marshalling it to JSON and converting
// the JSON to YAML with sigs.k8s.io/yaml, whose emitter is go-yaml v2. The
// visible consequences, all reproduced here:
//   - map keys sorted with go-yaml v2's "natural" key order (letters after
//     other characters, digit runs compared numerically);
//   - block style, 2-space indent, sequences under a key not indented;
//   - strings that would resolve to another YAML 1.1 type ("true", "yes",
//     "1.5", "2024-01-01", "1:20") double-quoted; strings a plain scalar cannot
//     hold (": ", leading space, ...) single-quoted; strings with control
//     characters double-quoted with escapes;
//   - multi-line strings as literal blocks ("|", "|-", "|+"), or double-quoted
//     when a line ends in a space;
//   - plain, single- and double-quoted scalars folded at column 80;
//   - integral floats printed as integers (the JSON round trip), other floats
//     in Go's shortest 'g' form.
//
// Example:
//   std::string text = kustomize::MarshalResource(object);

#include <string>
#include <string_view>

#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// One YAML document (no "---" separator), ending in a newline.
std::string MarshalResource(const object::Value& value);

// go-yaml v2's map key order: true when `a` sorts before `b`.
bool GoYamlKeyLess(std::string_view a, std::string_view b);

}  // namespace fluxcpp::kustomize
