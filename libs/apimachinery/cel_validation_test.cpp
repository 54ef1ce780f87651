#include "libs/apimachinery/cel_validation.h"

#include <catch2/catch.hpp>

#include "libs/object/yaml.h"

namespace fluxcpp::apimachinery {
namespace {

using object::Value;

Value Yaml(const char* text) {
  auto v = object::ParseYaml(text);
  REQUIRE(v.ok());
  return *v;
}

const char* kSchema = R"Y(
type: object
properties:
  spec:
    type: object
    x-kubernetes-validations:
    - rule: has(self.secretRef) != has(self.configMapRef)
      message: exactly one of secretRef or configMapRef must be set
    - rule: self.minReplicas <= self.maxReplicas
      messageExpression: "'minReplicas (' + string(self.minReplicas) + ') exceeds maxReplicas (' + string(self.maxReplicas) + ')'"
    - rule: "!has(self.replicas) || !has(oldSelf.replicas) || self.replicas >= oldSelf.replicas"
      message: replicas may not decrease
      reason: FieldValueForbidden
      fieldPath: .replicas
    properties:
      secretRef: {type: object, properties: {name: {type: string}}}
      configMapRef: {type: object, properties: {name: {type: string}}}
      minReplicas: {type: integer}
      maxReplicas: {type: integer}
      replicas: {type: integer}
      ratio:
        type: number
        x-kubernetes-validations:
        - rule: self == 1.0 || self < 0.5
      port:
        x-kubernetes-int-or-string: true
        x-kubernetes-validations:
        - rule: "type(self) == string ? self.startsWith('http') : self > 0"
          message: bad port
      name:
        type: string
        x-kubernetes-validations:
        - rule: self == oldSelf
          message: name is immutable
      timeout:
        type: string
        format: duration
        x-kubernetes-validations:
        - rule: self <= duration('1h')
      labels:
        type: object
        additionalProperties:
          type: string
          x-kubernetes-validations:
          - rule: self.size() <= 3
            reason: FieldValueRequired
            message: short values only
      ports:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [name]
        x-kubernetes-validations:
        - rule: self.map(p, p.port).isSorted()
          message: ports must be sorted
        items:
          type: object
          properties:
            name: {type: string}
            port: {type: integer}
            x-mode: {type: string}
          x-kubernetes-validations:
          - rule: "!has(oldSelf.port) || self.port >= oldSelf.port"
            message: port may not decrease
          - rule: "!has(self.x__dash__mode) || self.x__dash__mode in ['a', 'b']"
            message: bad mode
      owner:
        type: string
        x-kubernetes-validations:
        - rule: "oldSelf.hasValue() ? oldSelf.value() == self : self.startsWith('team-')"
          optionalOldSelf: true
          message: owner must start with team- and never change
)Y";

std::shared_ptr<const CelValidator> Validator() {
  static auto v = CelValidator::Compile(Yaml(kSchema));
  return v;
}

std::vector<std::string> Errors(const char* spec, const char* old_spec = nullptr) {
  Value obj = Value::object();
  obj["spec"] = Yaml(spec);
  Value old = Value::object();
  if (old_spec != nullptr) old["spec"] = Yaml(old_spec);
  std::vector<std::string> out;
  for (const auto& e : Validator()->Validate(obj, old_spec != nullptr ? &old : nullptr)) {
    out.push_back(e.field + ": " + e.message);
  }
  return out;
}

TEST_CASE("cel validation compiles the rules of every node", "[unit]") {
  REQUIRE(Validator()->compile_errors().empty());
  CHECK(Validator()->rule_count() == 12);
}

TEST_CASE("cel validation accepts valid objects", "[unit]") {
  CHECK(Errors("{secretRef: {name: a}, minReplicas: 1, maxReplicas: 2, port: 80, ratio: 0.25, owner: team-a}")
            .empty());
  CHECK(Errors("{configMapRef: {name: a}, minReplicas: 1, maxReplicas: 1, port: http-x, ratio: 1}").empty());
}

TEST_CASE("cel validation reports kube's messages", "[unit]") {
  auto errs = Errors("{minReplicas: 3, maxReplicas: 2}");
  REQUIRE(errs.size() == 2);
  CHECK(errs[0] == "spec: Invalid value: \"object\": exactly one of secretRef or configMapRef must be set");
  CHECK(errs[1] == "spec: Invalid value: \"object\": minReplicas (3) exceeds maxReplicas (2)");
}

TEST_CASE("cel validation: default message, numbers and int-or-string", "[unit]") {
  auto errs = Errors("{secretRef: {}, minReplicas: 1, maxReplicas: 1, ratio: 0.75, port: 0}");
  REQUIRE(errs.size() == 2);
  // number schema -> double even when written as an integer elsewhere; 0.75 fails
  CHECK(errs[0] == "spec.port: Invalid value: \"\": bad port");
  CHECK(errs[1] == "spec.ratio: Invalid value: \"number\": failed rule: self == 1.0 || self < 0.5");
  // An integral value in a number field is still a double: 1 == 1.0 holds.
  CHECK(Errors("{secretRef: {}, minReplicas: 1, maxReplicas: 1, ratio: 1}").empty());
}

TEST_CASE("cel validation: evaluation errors name the rule", "[unit]") {
  auto errs = Errors("{secretRef: {}, minReplicas: 1}");
  REQUIRE(errs.size() == 1);
  CHECK(errs[0] ==
        "spec: Invalid value: \"object\": no such key: maxReplicas evaluating rule: "
        "self.minReplicas <= self.maxReplicas");
}

TEST_CASE("cel validation: transition rules run only with an old value", "[unit]") {
  const char* base = "{secretRef: {}, minReplicas: 1, maxReplicas: 1";
  CHECK(Errors((std::string(base) + ", replicas: 1, name: a}").c_str()).empty());  // create
  auto errs = Errors((std::string(base) + ", replicas: 1, name: b}").c_str(),
                     (std::string(base) + ", replicas: 2, name: a}").c_str());
  REQUIRE(errs.size() == 2);
  CHECK(errs[0] == "spec.replicas: Forbidden: replicas may not decrease");
  CHECK(errs[1] == "spec.name: Invalid value: \"string\": name is immutable");
  // No old name: the immutability rule does not run.
  CHECK(Errors((std::string(base) + ", replicas: 2, name: b}").c_str(),
               (std::string(base) + ", replicas: 2}").c_str())
            .empty());
}

TEST_CASE("cel validation: optionalOldSelf", "[unit]") {
  const char* base = "{secretRef: {}, minReplicas: 1, maxReplicas: 1";
  auto errs = Errors((std::string(base) + ", owner: ops}").c_str());
  REQUIRE(errs.size() == 1);
  CHECK(errs[0] == "spec.owner: Invalid value: \"string\": owner must start with team- and never change");
  CHECK(Errors((std::string(base) + ", owner: ops}").c_str(), (std::string(base) + ", owner: ops}").c_str())
            .empty());
  CHECK(Errors((std::string(base) + ", owner: team-b}").c_str(), (std::string(base) + ", owner: team-a}").c_str())
            .size() == 1);
}

TEST_CASE("cel validation: maps, list-map correlation, escaping, formats", "[unit]") {
  const char* base = "{secretRef: {}, minReplicas: 1, maxReplicas: 1";
  auto errs = Errors((std::string(base) + ", labels: {a: abcd, b: ok}, timeout: 2h}").c_str());
  REQUIRE(errs.size() == 2);
  CHECK(errs[0] == "spec.labels[a]: Required value: short values only");
  CHECK(errs[1] == "spec.timeout: Invalid value: \"string\": failed rule: self <= duration('1h')");

  errs = Errors((std::string(base) + ", ports: [{name: b, port: 2, x-mode: c}, {name: a, port: 1}]}").c_str(),
                (std::string(base) + ", ports: [{name: a, port: 5}, {name: b, port: 1}]}").c_str());
  REQUIRE(errs.size() == 3);
  CHECK(errs[0] == "spec.ports: Invalid value: \"array\": ports must be sorted");
  CHECK(errs[1] == "spec.ports[0]: Invalid value: \"object\": bad mode");
  CHECK(errs[2] == "spec.ports[1]: Invalid value: \"object\": port may not decrease");
}

TEST_CASE("cel validation: unchanged values are ratcheted, transition rules are not", "[unit]") {
  const char* base = "{secretRef: {}, minReplicas: 1, maxReplicas: 1";
  // labels.a already violated the rule: unchanged, it is not blamed on this update.
  CHECK(Errors((std::string(base) + ", labels: {a: abcd}, replicas: 3}").c_str(),
               (std::string(base) + ", labels: {a: abcd}}").c_str())
            .empty());
  auto errs = Errors((std::string(base) + ", labels: {a: abcde}}").c_str(),
                     (std::string(base) + ", labels: {a: abcd}}").c_str());
  REQUIRE(errs.size() == 1);
  CHECK(errs[0] == "spec.labels[a]: Required value: short values only");
  // A changed spec runs its non-transition rules again.
  CHECK(Errors("{configMapRef: {}, secretRef: {}, minReplicas: 1, maxReplicas: 1}",
               "{secretRef: {}, configMapRef: {}, minReplicas: 1, maxReplicas: 1, replicas: 1}")
            .size() == 1);
}

TEST_CASE("cel validation: null values are not validated", "[unit]") {
  CHECK(Errors("{secretRef: {}, minReplicas: 1, maxReplicas: 1, name: null}", "{name: a}").empty());
}

TEST_CASE("cel validation: compile errors", "[unit]") {
  auto v = CelValidator::Compile(Yaml(R"Y(
type: object
properties:
  spec:
    type: object
    x-kubernetes-validations:
    - rule: "self.a =="
    - rule: "self.a == 1"
      reason: Bogus
    items: {}
  list:
    type: array
    items:
      type: string
      x-kubernetes-validations:
      - rule: self == oldSelf
)Y"));
  REQUIRE(v->compile_errors().size() == 3);
  CHECK(v->compile_errors()[0].field == "properties[spec].x-kubernetes-validations[0].rule");
  CHECK(v->compile_errors()[0].message.find("compilation failed: ") != std::string::npos);
  CHECK(v->compile_errors()[1].field == "properties[spec].x-kubernetes-validations[1].reason");
  CHECK(v->compile_errors()[2].field == "properties[list].items.x-kubernetes-validations[0].rule");
  CHECK(v->compile_errors()[2].message.find("oldSelf cannot be used on the uncorrelatable portion") !=
        std::string::npos);
  // An object write reports the broken rule at its node.
  Value obj = Yaml("{spec: {a: 1}}");
  auto errs = v->Validate(obj, nullptr);
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].field == "spec");
  CHECK(errs[0].message.find("rule compile error") != std::string::npos);

  Value crd = Yaml(R"Y(
spec:
  versions:
  - name: v1
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-validations: [{rule: "self.x ="}, {rule: "self.x == 'a"}]
)Y");
  auto crd_errs = ValidateCrdCelRules(crd);
  REQUIRE(crd_errs.size() == 2);
  CHECK(crd_errs[0].field == "spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule");
  CHECK(crd_errs[0].message.rfind("Invalid value: apiextensions.ValidationRule{Rule:\"self.x =\", Message:\"\"", 0) == 0);
  CHECK(crd_errs[1].message.rfind("Invalid value: apiextensions.ValidationRule{Rule:\"self.x == 'a\"", 0) == 0);
}

TEST_CASE("cel validation: selecting an undeclared field is a compile error", "[unit]") {
  auto v = CelValidator::Compile(Yaml(R"Y(
type: object
properties:
  spec:
    type: object
    x-kubernetes-validations:
    - rule: has(self.replicas) && self.replcas > 0
    - rule: self.labels.anything == 'x' && self.free.whatever == 1 && self.items.all(i, i.nope == 1)
    - rule: self.x__dash__y == 1 && self.list.exists(self, self.other == 1)
    properties:
      replicas: {type: integer}
      x-y: {type: integer}
      labels: {type: object, additionalProperties: {type: string}}
      free: {type: object, x-kubernetes-preserve-unknown-fields: true}
      items: {type: array, items: {type: object, properties: {a: {type: string}}}}
      list: {type: array, items: {type: object}}
)Y"));
  REQUIRE(v->compile_errors().size() == 1);
  CHECK(v->compile_errors()[0].field == "properties[spec].x-kubernetes-validations[0].rule");
  CHECK(v->compile_errors()[0].message.find("compilation failed: undefined field 'replcas'") != std::string::npos);

  auto root = CelValidator::Compile(Yaml(R"Y(
type: object
x-kubernetes-validations:
- rule: self.apiVersion != '' && self.kind != '' && self.metadata.name != '' && has(self.metadata.generateName)
- rule: has(self.metadata.labels)
properties:
  metadata: {type: object}
)Y"));
  REQUIRE(root->compile_errors().size() == 1);
  CHECK(root->compile_errors()[0].field == "x-kubernetes-validations[1].rule");
  CHECK(root->compile_errors()[0].message.find("undefined field 'labels'") != std::string::npos);
}

TEST_CASE("cel validation: root metadata and type errors block rules", "[unit]") {
  auto schema = std::make_shared<const Value>(Yaml(R"Y(
type: object
x-kubernetes-validations:
- rule: self.metadata.name.startsWith('x-')
  message: bad name
properties:
  metadata: {type: object}
)Y"));
  std::vector<SchemaError> errors;
  AppendCelValidationErrors(schema, Yaml("{metadata: {name: yy, labels: {a: b}}}"), nullptr, errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "<nil>");
  CHECK(errors[0].message == "Invalid value: \"object\": bad name");
  errors.clear();
  AppendCelValidationErrors(schema, Yaml("{metadata: {name: x-a, labels: {a: b}}}"), nullptr, errors);
  CHECK(errors.empty());
  errors = {{"FieldValueTypeInvalid", "spec.a", "Invalid value: ..."}};
  AppendCelValidationErrors(schema, Yaml("{metadata: {name: yy}}"), nullptr, errors);
  REQUIRE(errors.size() == 2);
  CHECK(errors[1].message.find("some validation rules were not checked") != std::string::npos);
  // Compiled once per schema instance.
  CHECK(CachedCelValidator(schema) == CachedCelValidator(schema));
  CHECK(CachedCelValidator(std::make_shared<const Value>(Yaml("{type: object}"))) == nullptr);
}

TEST_CASE("cel validation: CEL types follow the schema", "[unit]") {
  auto v = CelValidator::Compile(Yaml(R"Y(
type: object
x-kubernetes-validations:
- rule: type(self.i) == int && type(self.d) == double && type(self.ios) == int && type(self.s) == string
- rule: type(self.b) == bytes && type(self.t) == type(timestamp('2000-01-01T00:00:00Z')) && type(self.free.x) == int
- rule: self.t.getFullYear() == 2024 && self.b == b'hi'
properties:
  i: {type: integer}
  d: {type: number}
  ios: {x-kubernetes-int-or-string: true}
  s: {type: string}
  b: {type: string, format: byte}
  t: {type: string, format: date-time}
  free: {type: object, x-kubernetes-preserve-unknown-fields: true}
)Y"));
  std::string compile_errors;
  for (const auto& e : v->compile_errors()) compile_errors += e.field + ": " + e.message + "\n";
  INFO(compile_errors);
  REQUIRE(v->compile_errors().empty());
  CHECK(v->Validate(Yaml("{i: 1, d: 2, ios: 3, s: x, b: aGk=, t: '2024-05-01T00:00:00Z', free: {x: 4}}"), nullptr)
            .empty());
  CHECK(v->Validate(Yaml("{i: 1, d: 2, ios: 3, s: x, b: aGk=, t: '2023-05-01T00:00:00Z', free: {x: 4}}"), nullptr)
            .size() == 1);
}

TEST_CASE("cel property name escaping", "[unit]") {
  CHECK(EscapeCelPropertyName("namespace") == "__namespace__");
  CHECK(EscapeCelPropertyName("x-y.z/w") == "x__dash__y__dot__z__slash__w");
  CHECK(EscapeCelPropertyName("a__b") == "a__underscores__b");
  CHECK(EscapeCelPropertyName("1abc").empty());
  CHECK(EscapeCelPropertyName("plain") == "plain");
}

}  // namespace
}  // namespace fluxcpp::apimachinery
