#pragma once
// Scalar resolution rules of the two go-yaml versions kustomize runs through:
//   - reading: kyaml parses with go-yaml v3 (YAML 1.2-ish: only true/false are
//     booleans, "yes"/"on" stay strings; ints with Go base-0 syntax incl. 0755;
//     timestamps stay strings);
//   - writing: sigs.k8s.io/yaml marshals with go-yaml v2 (YAML 1.1), which
//     quotes any string a plain scalar would turn into another type.

#include <string>
#include <string_view>

#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// The value go-yaml v3 gives a plain (untagged, unquoted) scalar.
object::Value ResolvePlainV3(std::string_view text);

// The value a plain scalar has in a JSON 6902 patch body, which kustomize
// reads with sigs.k8s.io/yaml (go-yaml v2, YAML 1.1): y/yes/on/n/no/off in
// their three spellings are booleans as well; everything else as ResolvePlainV3
// (the numbers and nulls of the two agree after kustomize's JSON round trip).
object::Value ResolvePlainV2(std::string_view text);

// True when go-yaml v2's encoder may write `s` as a plain scalar: it resolves
// to !!str under YAML 1.1 rules and is not a base-60 float ("1:20").
bool PlainStringResolvesToString(std::string_view s);

// Go's strconv.FormatFloat(f, 'g', -1, 64) after a JSON round trip: integral
// values below 1e21 print as integers.
std::string FormatGoFloat(double f);

}  // namespace fluxcpp::kustomize
