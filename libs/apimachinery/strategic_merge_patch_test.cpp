#include "libs/apimachinery/strategic_merge_patch.h"

#include <catch2/catch.hpp>

using fluxcpp::apimachinery::ApplyStrategicMergePatch;
using fluxcpp::object::Value;

namespace {
Value Apply(const char* original, const char* patch) {
  auto out = ApplyStrategicMergePatch(Value::parse(original), Value::parse(patch));
  REQUIRE(out.ok());
  return *out;
}
}  // namespace

TEST_CASE("containers merge by name, other lists replace") {
  Value out = Apply(
      R"({"spec":{"containers":[{"name":"a","image":"x:1","args":["1"]},{"name":"b","image":"y:1"}],"tolerations":[{"key":"k"}]}})",
      R"({"spec":{"containers":[{"name":"a","image":"x:2"}],"tolerations":[{"key":"z"}]}})");
  CHECK(out == Value::parse(
                   R"({"spec":{"containers":[{"name":"a","image":"x:2","args":["1"]},{"name":"b","image":"y:1"}],"tolerations":[{"key":"z"}]}})"));
}

TEST_CASE("kubectl apply directives") {
  // What kubectl sends when a container image changes and an env var goes away.
  Value out = Apply(
      R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":80}]}]}}}})",
      R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"$setElementOrder/env":[{"name":"A"}],"env":[{"$patch":"delete","name":"B"}],"image":"nginx:2","name":"app"}]}}}})");
  CHECK(out == Value::parse(
                   R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:2","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":80}]}]}}}})"));
}

TEST_CASE("setElementOrder reorders, retainKeys drops, primitive lists") {
  Value out = Apply(R"({"l":{"containers":[{"name":"a"},{"name":"b"}]},"metadata":{"finalizers":["x"]}})",
                    R"({"l":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]},"metadata":{"finalizers":["y"]}})");
  CHECK(out["l"]["containers"] == Value::parse(R"([{"name":"b"},{"name":"a"}])"));
  CHECK(out["metadata"]["finalizers"] == Value::parse(R"(["x","y"])"));
  out = Apply(R"({"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}})",
              R"({"strategy":{"$retainKeys":["type"],"type":"Recreate"}})");
  CHECK(out == Value::parse(R"({"strategy":{"type":"Recreate"}})"));
  out = Apply(R"({"metadata":{"finalizers":["a","b","c"]}})",
              R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}})");
  CHECK(out["metadata"]["finalizers"] == Value::parse(R"(["a","c"])"));
  out = Apply(R"({"spec":{"a":{"b":1,"c":2}}})", R"({"spec":{"a":{"$patch":"replace","d":3}}})");
  CHECK(out == Value::parse(R"({"spec":{"a":{"d":3}}})"));
  out = Apply(R"({"spec":{"a":{"b":1},"x":1}})", R"({"spec":{"a":{"$patch":"delete"},"x":null}})");
  CHECK(out == Value::parse(R"({"spec":{}})"));
  out = Apply(R"({"spec":{"ports":[{"port":80,"name":"http"},{"port":443}]}})",
              R"({"spec":{"ports":[{"port":80,"targetPort":8080}]}})");
  CHECK(out == Value::parse(R"({"spec":{"ports":[{"port":80,"name":"http","targetPort":8080},{"port":443}]}})"));
  out = Apply(R"({"spec":{"containers":[{"name":"a"}]}})", R"({"spec":{"containers":[{"$patch":"replace"},{"name":"z"}]}})");
  CHECK(out == Value::parse(R"({"spec":{"containers":[{"name":"z"}]}})"));
}

TEST_CASE("strategic merge patch rejects malformed lists") {
  auto out = ApplyStrategicMergePatch(Value::parse(R"({"spec":{"containers":[]}})"),
                                      Value::parse(R"({"spec":{"containers":[{"image":"x"}]}})"));
  CHECK(!out.ok());
}
