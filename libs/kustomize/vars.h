#pragma once
// kustomize `vars`: a var names a field of one resource (objref + fieldref,
// default metadata.name); after all transformations, "$(NAME)" in the
// var-reference fields (container args/command/env, ... see field_spec.cpp)
// is replaced by that field's value. A field that is exactly "$(NAME)" takes
// the value with its type; "$$" escapes a dollar; unknown vars stay as they are.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/res_map.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Registers the kustomization's vars: each var is attached to the one resource
// its objref matches (error when ambiguous) and added to `vars` (error on a
// repeated name: "var 'X' already encountered").
absl::Status MergeVars(ResMap& m, std::vector<object::Value>& vars, const object::Value& incoming);

// Adds vars from a sub-accumulation (error on a repeated name).
absl::Status MergeVarSet(std::vector<object::Value>& vars, const std::vector<object::Value>& incoming);

// Replaces $(VAR) references.
absl::Status ResolveVars(ResMap& m, const std::vector<object::Value>& vars, const std::vector<FieldSpec>& var_reference);

// The value at a kustomize field path ("spec.ports[0].port", "a.b[name=x].c").
const object::Value* FieldAtPath(const object::Value& obj, const std::string& path);

}  // namespace fluxcpp::kustomize
