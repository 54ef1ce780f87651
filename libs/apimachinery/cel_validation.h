#pragma once
// CRD `x-kubernetes-validations` (CEL rules), with kube-apiserver's semantics
// and error wording:
//   spec: Invalid value: "object": exactly one of secretRef or configMapRef must be set
//   spec.replicas: Forbidden: may only be increased          (reason: FieldValueForbidden)
//   spec: Invalid value: "object": failed rule: self.a < self.b   (no message)
//   spec: Invalid value: "object": no such key: x evaluating rule: self.x == 1
// Rules sit at any schema node; `self` is the node's value, converted by the
// schema (integer -> int, number -> double, int-or-string, string formats
// byte/duration/date/date-time -> bytes/duration/timestamp, objects and
// additionalProperties -> maps, property names escaped as kube does:
// `x-y` -> `x__dash__y`). Rules using `oldSelf` are transition rules: they run
// only on update when the old object has a value at the same path (objects and
// maps by key, listType=map lists by their keys), or always with
// optionalOldSelf (oldSelf is then an optional). Null values are not validated.
// Ratcheting (kube >= 1.30): on update, rules without oldSelf are skipped at
// nodes whose value equals the correlated old value, so tightening a rule
// does not block writes (e.g. status updates) to objects stored before.
// Rules see the Kubernetes CEL libraries (libs/cel/k8s_functions.h).
//
// Rules are compiled once per schema instance (CachedCelValidator); a rule
// that does not compile is reported by ValidateCrdCelRules (CRD writes are
// rejected, as kube does) and, for an already stored CRD, on every object
// write at the rule's node.

#include <memory>
#include <string>
#include <vector>

#include "libs/apimachinery/schema_validation.h"
#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

struct CelNode;

// The compiled rules of one structural schema. Immutable; thread-safe.
class CelValidator {
 public:
  // Compiles every rule under `schema` (an openAPIV3Schema). Never fails:
  // compile errors are kept and reported by compile_errors()/Validate().
  static std::shared_ptr<const CelValidator> Compile(const object::Value& schema);

  // Errors of rules that did not compile, named by schema path relative to
  // the schema root (e.g. "properties[spec].x-kubernetes-validations[0].rule").
  const std::vector<SchemaError>& compile_errors() const { return compile_errors_; }
  size_t rule_count() const { return rule_count_; }

  // Runs the rules on `obj` (a whole object); `old` is the stored object on
  // update, nullptr on create. Empty when every rule holds.
  std::vector<SchemaError> Validate(const object::Value& obj, const object::Value* old) const;

  ~CelValidator();

 private:
  CelValidator() = default;
  std::unique_ptr<CelNode> root_;
  object::Value schema_;  // for schema-guided conversion of values
  std::vector<SchemaError> compile_errors_;
  size_t rule_count_ = 0;
};

// The validator of `schema`, compiled on first use and cached for as long as
// the schema instance lives (dev-apiserver builds one per CRD version on every
// CRD write, so this is "once per CRD resourceVersion"). Null `schema` or a
// schema without rules gives nullptr.
std::shared_ptr<const CelValidator> CachedCelValidator(const std::shared_ptr<const object::Value>& schema);

// Appends the CEL errors of `obj` to `errors` the way kube-apiserver does:
// when `errors` already holds a type error, the rules are not run and one
// "some validation rules were not checked" error is added instead.
void AppendCelValidationErrors(const std::shared_ptr<const object::Value>& schema, const object::Value& obj,
                               const object::Value* old, std::vector<SchemaError>& errors);

// For a CustomResourceDefinition being written: the compile errors of the
// rules of every version's schema, with paths such as
// "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule".
std::vector<SchemaError> ValidateCrdCelRules(const object::Value& crd);

// kube's CEL escaping of a property name (`x-y` -> `x__dash__y`, `namespace`
// -> `__namespace__`); empty when the name cannot be accessed from CEL.
std::string EscapeCelPropertyName(const std::string& name);

}  // namespace fluxcpp::apimachinery
