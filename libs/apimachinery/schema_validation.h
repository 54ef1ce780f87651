#pragma once
// Validation of a custom resource against its CRD's structural
// openAPIV3Schema, with kube-apiserver's error wording (what kubectl shows):
//   spec.url: Invalid value: "ftp://x": spec.url in body should match '^(http|https)://.*$'
//   spec.interval: Invalid value: "integer": spec.interval in body must be of type string: "integer"
//   spec.url: Required value
//   spec.provider: Unsupported value: "x": supported values: "generic", "aws"
//   spec.name: Too long: may not be more than 63 bytes
// Covered: type (incl. nullable, x-kubernetes-int-or-string,
// x-kubernetes-preserve-unknown-fields), required, enum, pattern, minimum /
// maximum (and exclusive), multipleOf, minLength / maxLength, minItems /
// maxItems, uniqueItems, minProperties / maxProperties, formats (date-time,
// date, byte, uuid, ipv4, int32/int64 ranges), allOf / anyOf / oneOf / not,
// and x-kubernetes-list-type set/map uniqueness. x-kubernetes-validations
// (CEL) are evaluated separately, by cel_validation.h. The root's apiVersion/kind/metadata are
// left to ObjectMeta validation.
//
// Pure; thread-compatible. Patterns are compiled per call (std::regex,
// ECMAScript: RE2's common subset).

#include <string>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

// One field error, shaped like k8s.io/apimachinery's field.Error.
struct SchemaError {
  std::string type;     // FieldValueInvalid, FieldValueRequired, FieldValueNotSupported,
                        // FieldValueTooLong, FieldValueTooMany, FieldValueTypeInvalid, FieldValueDuplicate
  std::string field;    // "spec.url"
  std::string message;  // "Invalid value: \"x\": spec.url in body should match '...'"
};

// Validates `obj` (a whole object) against `schema`; empty when valid.
std::vector<SchemaError> ValidateAgainstSchema(const object::Value& obj, const object::Value& schema);

// How kube prints a value inside "Invalid value: ..." (Go's %#v-like:
// strings quoted, numbers and booleans bare, null as "null").
std::string FieldValueString(const object::Value& v);

}  // namespace fluxcpp::apimachinery
