#include "libs/apimachinery/merge_patch.h"

#include <catch2/catch.hpp>

#include "libs/apimachinery/json_patch.h"
#include "libs/apimachinery/semantic_equal.h"

using fluxcpp::apimachinery::ApplyJsonPatch;
using fluxcpp::apimachinery::ApplyMergePatch;
using fluxcpp::apimachinery::CreateMergePatch;
using fluxcpp::apimachinery::SemanticallyEqual;
using fluxcpp::object::Value;

TEST_CASE("merge patch follows RFC 7386 examples") {
  // Appendix A of RFC 7386.
  struct Case {
    const char* target;
    const char* patch;
    const char* result;
  } cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", "null", "null"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const Case& c : cases) {
    INFO(c.target << " + " << c.patch);
    CHECK(ApplyMergePatch(Value::parse(c.target), Value::parse(c.patch)) == Value::parse(c.result));
  }
}

TEST_CASE("CreateMergePatch round-trips") {
  Value from = Value::parse(R"({"a":1,"b":{"c":2,"d":3},"e":[1]})");
  Value to = Value::parse(R"({"a":1,"b":{"c":5},"f":true,"e":[2]})");
  Value patch = CreateMergePatch(from, to);
  CHECK(SemanticallyEqual(patch, Value::parse(R"({"b":{"d":null,"c":5},"e":[2],"f":true})")));
  CHECK(SemanticallyEqual(ApplyMergePatch(from, patch), to));
}

TEST_CASE("json patch applies RFC 6902 operations") {
  Value doc = Value::parse(R"({"foo":"bar","list":[1,2],"m":{"a~b":1,"c/d":2}})");
  auto out = ApplyJsonPatch(doc, Value::parse(R"([
    {"op":"add","path":"/baz","value":"qux"},
    {"op":"add","path":"/list/1","value":9},
    {"op":"add","path":"/list/-","value":3},
    {"op":"remove","path":"/m/a~0b"},
    {"op":"replace","path":"/m/c~1d","value":7},
    {"op":"copy","from":"/foo","path":"/copied"},
    {"op":"move","from":"/baz","path":"/moved"},
    {"op":"test","path":"/list/0","value":1}
  ])"));
  REQUIRE(out.ok());
  CHECK(*out == Value::parse(R"({"foo":"bar","list":[1,9,2,3],"m":{"c/d":7},"copied":"bar","moved":"qux"})"));
}

TEST_CASE("json patch failures are atomic and precise") {
  Value doc = Value::parse(R"({"metadata":{"resourceVersion":"5"}})");
  auto failed = ApplyJsonPatch(doc, Value::parse(R"([
    {"op":"add","path":"/x","value":1},
    {"op":"test","path":"/metadata/resourceVersion","value":"4"}])"));
  REQUIRE(!failed.ok());
  CHECK(failed.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(failed.status().message()) == "testing value /metadata/resourceVersion failed: test failed");
  CHECK(!ApplyJsonPatch(doc, Value::parse(R"([{"op":"remove","path":"/nope"}])")).ok());
  CHECK(!ApplyJsonPatch(doc, Value::parse(R"([{"op":"replace","path":"/a/b","value":1}])")).ok());
  CHECK(!ApplyJsonPatch(doc, Value::parse(R"([{"op":"add","path":"/a/b","value":1}])")).ok());
  auto bad = ApplyJsonPatch(doc, Value::parse(R"([{"op":"frob","path":"/x"}])"));
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ApplyJsonPatch(doc, Value::parse(R"({"op":"add"})")).status().code() == absl::StatusCode::kInvalidArgument);
}
