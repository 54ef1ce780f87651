#pragma once
// Pruning of unknown fields for custom resources, as kube-apiserver does with
// a CRD's structural openAPIV3Schema: every object field not declared in
// `properties` is dropped, unless the schema has
// `x-kubernetes-preserve-unknown-fields: true` or `additionalProperties`
// (whose schema then applies to each value). Arrays follow `items`. At the
// root and in `x-kubernetes-embedded-resource` objects, `apiVersion`, `kind`
// and `metadata` are always kept (ObjectMeta is validated elsewhere).
//
// Pure function; thread-compatible.

#include <string>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

// Prunes `obj` (a whole object, schema at its root) in place; returns the
// dotted paths of the dropped fields ("spec.foo", "spec.list[0].bar"), in
// document order, so callers can reject or warn (fieldValidation).
std::vector<std::string> PruneUnknownFields(object::Value& obj, const object::Value& schema);

}  // namespace fluxcpp::apimachinery
