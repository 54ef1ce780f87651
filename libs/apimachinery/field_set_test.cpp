#include "libs/apimachinery/field_set.h"

#include <catch2/catch.hpp>

#include "libs/apimachinery/human_duration.h"
#include "libs/apimachinery/schema_defaulting.h"
#include "libs/apimachinery/semantic_equal.h"

using namespace fluxcpp::apimachinery;
using fluxcpp::object::Value;

TEST_CASE("field sets round-trip fieldsV1 with list items") {
  Value f = Value::parse(
      R"({"f:metadata":{"f:labels":{".":{},"f:x":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:image":{},"f:name":{}}},"f:finalizers":{"v:\"x\"":{}},"f:replicas":{}}})");
  FieldSet set = FieldSet::FromFieldsV1(f);
  CHECK(set.Has(Fields({"spec", "replicas"})));
  CHECK(set.Has(Fields({"metadata", "labels"})));
  CHECK(set.Has(Fields({"metadata", "labels", "x"})));
  FieldPath item = Fields({"spec", "containers"});
  item.push_back(KeyElement(Value::parse(R"({"name":"a"})")));
  CHECK(set.Has(item));
  item.push_back("f:image");
  CHECK(set.Has(item));
  CHECK(!set.Has(Fields({"spec", "containers"})));
  CHECK(set.HasUnder(Fields({"spec", "containers"})));
  CHECK(set.ToFieldsV1() == f);
  CHECK(FieldPathString(item) == R"(.spec.containers[name="a"].image)");
  FieldPath port = Fields({"spec", "ports"});
  port.push_back(KeyElement(Value::parse(R"({"protocol":"TCP","containerPort":80})")));
  CHECK(port.back() == R"(k:{"containerPort":80,"protocol":"TCP"})");
  CHECK(FieldPathString(port) == R"(.spec.ports[containerPort=80,protocol="TCP"])");
  CHECK(FieldPathString({"f:metadata", ValueElement("x")}) == R"(.metadata[="x"])");
}

TEST_CASE("field set algebra and removal") {
  FieldSet a, b;
  a.Insert(Fields({"spec", "x"}));
  a.Insert(Fields({"spec", "y"}));
  b.Insert(Fields({"spec", "y"}));
  FieldSet d = a.Difference(b);
  CHECK(d.Members() == std::vector<FieldPath>{Fields({"spec", "x"})});
  CHECK(a.Intersection(b) == b);
  CHECK(a.Union(b) == a);
  a.Insert(Fields({"spec"}));
  a.Remove(Fields({"spec"}));
  CHECK(!a.Has(Fields({"spec"})));
  CHECK(a.Has(Fields({"spec", "x"})));
  a.RemoveAtOrUnder(Fields({"spec"}));
  CHECK(a.Empty());
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
