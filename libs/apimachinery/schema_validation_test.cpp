#include "libs/apimachinery/schema_validation.h"

#include <catch2/catch.hpp>

#include "libs/apimachinery/schema_pruning.h"

namespace fluxcpp::apimachinery {
namespace {

using object::Value;

Value Schema() {
  return *object::ParseJson(R"({
    "type": "object",
    "properties": {
      "spec": {
        "type": "object",
        "required": ["url", "interval"],
        "properties": {
          "url": {"type": "string", "pattern": "^(http|https|ssh|git)://.*$"},
          "interval": {"type": "string"},
          "provider": {"type": "string", "enum": ["generic", "aws"]},
          "name": {"type": "string", "maxLength": 5, "minLength": 1},
          "replicas": {"type": "integer", "minimum": 0, "maximum": 3},
          "port": {"x-kubernetes-int-or-string": true},
          "when": {"type": "string", "format": "date-time"},
          "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
          "values": {"x-kubernetes-preserve-unknown-fields": true},
          "labels": {"type": "object", "additionalProperties": {"type": "string"}}
        }
      },
      "status": {"type": "object", "properties": {"observedGeneration": {"type": "integer"}}}
    }
  })");
}

std::string Messages(const std::vector<SchemaError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.field + ": " + e.message + "\n";
  return out;
}

TEST_CASE("valid objects pass") {
  Value obj = *object::ParseJson(
      R"({"apiVersion":"x/v1","kind":"X","metadata":{"name":"a"},"spec":{"url":"https://x","interval":"1m",)"
      R"("provider":"aws","port":80,"when":"2024-01-01T00:00:00Z","tags":["a","b"],"values":{"any":[1]},)"
      R"("labels":{"a":"b"}}})");
  CHECK(Messages(ValidateAgainstSchema(obj, Schema())).empty());
}

TEST_CASE("kube wording for each rule") {
  Value obj = *object::ParseJson(
      R"({"spec":{"url":"ftp://x","interval":5,"provider":"gcp","name":"toolong","replicas":-1,"port":true,)"
      R"("when":"yesterday","tags":["a","a","b"],"labels":{"a":1}}})");
  std::string got = Messages(ValidateAgainstSchema(obj, Schema()));
  CHECK(got.find("spec.url: Invalid value: \"ftp://x\": spec.url in body should match '^(http|https|ssh|git)://.*$'") !=
        std::string::npos);
  CHECK(got.find("spec.interval: Invalid value: \"integer\": spec.interval in body must be of type string: "
                 "\"integer\"") != std::string::npos);
  CHECK(got.find("spec.provider: Unsupported value: \"gcp\": supported values: \"generic\", \"aws\"") !=
        std::string::npos);
  CHECK(got.find("spec.name: Too long: may not be more than 5 bytes") != std::string::npos);
  CHECK(got.find("spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0") !=
        std::string::npos);
  CHECK(got.find("spec.port: Invalid value: \"boolean\"") != std::string::npos);
  CHECK(got.find("spec.when: Invalid value: \"yesterday\": spec.when in body must be of type date-time") !=
        std::string::npos);
  CHECK(got.find("spec.tags: Too many: 3: must have at most 2 items") != std::string::npos);
  CHECK(got.find("spec.tags[1]: Duplicate value: \"a\"") != std::string::npos);
  CHECK(got.find("spec.labels.a: Invalid value: \"integer\"") != std::string::npos);
}

TEST_CASE("required fields") {
  Value obj = *object::ParseJson(R"({"spec":{}})");
  std::string got = Messages(ValidateAgainstSchema(obj, Schema()));
  CHECK(got == "spec.url: Required value\nspec.interval: Required value\n");
}

TEST_CASE("pruning drops undeclared fields and keeps preserved ones") {
  Value obj = *object::ParseJson(
      R"({"apiVersion":"x/v1","kind":"X","metadata":{"name":"a","x":1},"bogus":1,)"
      R"("spec":{"url":"https://x","extra":{"a":1},"values":{"free":{"form":true}},"labels":{"k":"v"}},)"
      R"("status":{"observedGeneration":1,"junk":2}})");
  auto pruned = PruneUnknownFields(obj, Schema());
  REQUIRE(pruned.size() == 3);
  CHECK(pruned[0] == "bogus");
  CHECK(pruned[1] == "spec.extra");
  CHECK(pruned[2] == "status.junk");
  CHECK(obj["metadata"]["x"] == 1);
  CHECK(obj["spec"]["values"]["free"]["form"] == true);
  CHECK(obj["spec"]["labels"]["k"] == "v");
  CHECK(obj["apiVersion"] == "x/v1");
}

}  // namespace
}  // namespace fluxcpp::apimachinery
