#include "libs/apimachinery/field_set.h"

#include <catch2/catch.hpp>

#include "libs/apimachinery/human_duration.h"
#include "libs/apimachinery/schema_defaulting.h"
#include "libs/apimachinery/semantic_equal.h"

using namespace fluxcpp::apimachinery;
using fluxcpp::object::Value;

TEST_CASE("field sets from objects and fieldsV1") {
  FieldSet set = FieldSet::FromObject(Value::parse(R"({"metadata":{"labels":{"a":"1"}},"spec":{"x":1,"l":[1],"e":{}}})"));
  CHECK(set.Has({"metadata", "labels", "a"}));
  CHECK(set.Has({"spec", "l"}));
  CHECK(set.Has({"spec", "e"}));
  CHECK(!set.Has({"spec"}));
  CHECK(set.HasAtOrUnder({"spec"}));
  Value f = set.ToFieldsV1();
  CHECK(f == Value::parse(R"({"f:metadata":{"f:labels":{"f:a":{}}},"f:spec":{"f:e":{},"f:l":{},"f:x":{}}})"));
  CHECK(FieldSet::FromFieldsV1(f) == set);
  // Foreign shapes: list element keys collapse to the list, "." marks the map.
  FieldSet foreign = FieldSet::FromFieldsV1(Value::parse(
      R"({"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:image":{}}}},"f:metadata":{"f:labels":{".":{},"f:x":{}}}})"));
  CHECK(foreign.Has({"spec", "containers"}));
  CHECK(foreign.Has({"metadata", "labels"}));
  CHECK(foreign.Has({"metadata", "labels", "x"}));
}

TEST_CASE("field set algebra and removal") {
  FieldSet a, b;
  a.Insert({"spec", "x"});
  a.Insert({"spec", "y"});
  b.Insert({"spec", "y"});
  FieldSet d = a.Difference(b);
  CHECK(d.Members() == std::vector<FieldPath>{{"spec", "x"}});
  CHECK(a.Union(b) == a);
  a.RemoveAtOrUnder({"spec"});
  CHECK(a.Empty());
  Value obj = Value::parse(R"({"spec":{"a":{"b":1}},"metadata":{"labels":{"x":"1"}}})");
  CHECK(RemoveFieldAtPath(obj, {"spec", "a", "b"}));
  CHECK(obj == Value::parse(R"({"spec":{},"metadata":{"labels":{"x":"1"}}})"));
  CHECK(!RemoveFieldAtPath(obj, {"spec", "nope"}));
}

TEST_CASE("diff fields") {
  FieldSet changed, removed;
  DiffFields(Value::parse(R"({"a":1,"b":{"c":1,"d":2},"e":[1]})"),
             Value::parse(R"({"a":1,"b":{"d":3,"f":{"g":1}},"e":[1],"h":"x"})"), changed, removed);
  CHECK(changed.Members() == std::vector<FieldPath>{{"b", "d"}, {"b", "f", "g"}, {"h"}});
  CHECK(removed.Members() == std::vector<FieldPath>{{"b", "c"}});
}

TEST_CASE("structural defaulting") {
  Value schema = Value::parse(R"({"type":"object","properties":{
    "spec":{"type":"object","properties":{
      "interval":{"type":"string"},
      "timeout":{"type":"string","default":"60s"},
      "ref":{"type":"object","default":{},"properties":{"branch":{"type":"string","default":"master"}}},
      "items":{"type":"array","items":{"type":"object","properties":{"w":{"type":"integer","default":1}}}},
      "m":{"type":"object","additionalProperties":{"type":"object","properties":{"z":{"type":"boolean","default":true}}}},
      "nul":{"type":"string","default":"d"}}},
    "status":{"type":"object","default":{"observedGeneration":-1},"properties":{"observedGeneration":{"type":"integer"}}}}})");
  Value obj = Value::parse(R"({"spec":{"interval":"1m","items":[{},{"w":5}],"m":{"k":{}},"nul":null}})");
  ApplyStructuralDefaults(obj, schema);
  CHECK(SemanticallyEqual(obj, Value::parse(R"({"spec":{"interval":"1m","items":[{"w":1},{"w":5}],"m":{"k":{"z":true}},"nul":"d",
    "timeout":"60s","ref":{"branch":"master"}},"status":{"observedGeneration":-1}})")));
}

TEST_CASE("human durations like kubectl") {
  using std::chrono::seconds;
  CHECK(HumanDuration(seconds(5)) == "5s");
  CHECK(HumanDuration(seconds(119)) == "119s");
  CHECK(HumanDuration(seconds(150)) == "2m30s");
  CHECK(HumanDuration(seconds(600)) == "10m");
  CHECK(HumanDuration(seconds(3 * 3600 + 120)) == "3h2m");
  CHECK(HumanDuration(seconds(10 * 3600)) == "10h");
  CHECK(HumanDuration(seconds(3 * 86400 + 3600)) == "3d1h");
  CHECK(HumanDuration(seconds(30 * 86400)) == "30d");
  CHECK(HumanDuration(seconds(-5)) == "<invalid>");
}
