#pragma once
// A fast reader for the plain block-style YAML most manifests are written in
// (block maps and sequences, plain or simple quoted one-line scalars, `{}`/`[]`,
// comment lines, "---" separators). It gives exactly what the general reader
// (yaml-cpp + kyaml's scalar rules, kyaml_reader.h) gives for such input and
// declines (nullopt) anything else — anchors, tags, flow collections,
// multi-line or escaped scalars, trailing comments, duplicate keys, odd
// indentation — so callers fall back to the general reader, which also
// produces the errors.

#include <optional>
#include <string_view>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// The non-null documents of `text`, each built with `resolve_plain` for plain
// scalars (as object::ParseYamlDocuments does); nullopt when the text is
// outside the subset.
std::optional<std::vector<object::Value>> FastReadYamlDocuments(std::string_view text,
                                                                object::Value (*resolve_plain)(std::string_view));

}  // namespace fluxcpp::kustomize
