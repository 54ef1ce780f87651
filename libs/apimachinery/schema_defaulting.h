#pragma once
// Structural-schema defaulting for custom resources, as kube-apiserver does
// with a CRD's openAPIV3Schema: every `default` of a property missing from the
// object is set (deep copy), recursively through `properties`, `items` and
// `additionalProperties`, and defaults are themselves defaulted further.
// A null value of a property that is not `nullable: true` counts as missing
// (it is pruned first, then defaulted), as in Kubernetes.
//
// Pure function; thread-compatible. Pruning and validation are separate
// concerns (not done here).

#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

// Applies the defaults of `schema` (a JSONSchemaProps object) to `obj` in place.
void ApplyStructuralDefaults(object::Value& obj, const object::Value& schema);

}  // namespace fluxcpp::apimachinery
