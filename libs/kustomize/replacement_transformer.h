#pragma once
// kustomize's ReplacementTransformer (`replacements:`): copies the value at a
// source field (of exactly one selected resource) to target fields of every
// selected resource.
//
//   - source: {group, version, kind, name, namespace, fieldPath, options};
//     fieldPath defaults to metadata.name; options.delimiter/index pick one
//     part of a scalar.
//   - targets: [{select, reject, fieldPaths, options}]; select/reject match
//     gvk, name and namespace exactly (empty = any; a resource matches through
//     its current or any previous id) plus label/annotation selectors;
//     options.create creates missing fields; options.delimiter/index splice the
//     value into part of a scalar.
//   - field paths are "."-separated: "field", "[key=regex]" (list elements by
//     field, unanchored regex; created when missing under `create`), "0"
//     (index; one past the end appends under `create`), "*" (every element).
//   - a scalar target keeps its type where the value allows (a string field
//     stays a string, an int field takes a numeric value); a map/list target
//     is replaced by a copy of the source node.

#include "absl/status/status.h"
#include "libs/kustomize/file_loader.h"
#include "libs/kustomize/res_map.h"

namespace fluxcpp::kustomize {

// `list` is the `replacements:` list; entries are inline replacements or
// {path: file} (the file holds one replacement or a list of them).
absl::Status ApplyReplacements(ResMap& m, const FileLoader& ldr, const object::Value& list);

}  // namespace fluxcpp::kustomize
