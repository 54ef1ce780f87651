#include "libs/apimachinery/structured_merge.h"

#include <catch2/catch.hpp>

#include "libs/apimachinery/semantic_equal.h"

using namespace fluxcpp::apimachinery;
using fluxcpp::object::Value;

namespace {

const Value& Schema() {
  static const Value schema = Value::parse(R"({"type":"object","properties":{
    "spec":{"type":"object","properties":{
      "containers":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
        "items":{"type":"object","properties":{
          "name":{"type":"string"},"image":{"type":"string"},
          "args":{"type":"array","items":{"type":"string"}},
          "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["containerPort","protocol"],
            "items":{"type":"object","properties":{"containerPort":{"type":"integer"},"protocol":{"type":"string","default":"TCP"}}}},
          "env":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
            "items":{"type":"object","properties":{"name":{"type":"string"},"value":{"type":"string"}}}}}}},
      "finalizers":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
      "selector":{"type":"object","x-kubernetes-map-type":"atomic","additionalProperties":{"type":"string"}}}}}})");
  return schema;
}

FieldPath Container(const std::string& name) {
  FieldPath p = Fields({"spec", "containers"});
  p.push_back(KeyElement(Value{{"name", name}}));
  return p;
}

}  // namespace

TEST_CASE("field sets follow list types") {
  MergeSchema s(&Schema());
  Value obj = Value::parse(R"({"spec":{"containers":[{"name":"a","image":"i","args":["x"],"ports":[{"containerPort":80}]}],
    "finalizers":["f1","f2"],"selector":{"app":"x"},"other":[1,2],"gone":null}})");
  FieldSet set = FieldSetOf(obj, s);
  FieldPath a = Container("a");
  CHECK(set.Has(a));
  CHECK(set.Has([&] { auto p = a; p.push_back("f:image"); return p; }()));
  CHECK(set.Has([&] { auto p = a; p.push_back("f:args"); return p; }()));  // atomic list: one leaf
  FieldPath port = a;
  port.push_back("f:ports");
  port.push_back(R"(k:{"containerPort":80,"protocol":"TCP"})");  // key default filled
  CHECK(set.Has(port));
  CHECK(set.Has({"f:spec", "f:finalizers", R"(v:"f1")"}));
  CHECK(set.Has(Fields({"spec", "selector"})));  // atomic map
  CHECK(!set.Has(Fields({"spec", "selector", "app"})));
  CHECK(set.Has(Fields({"spec", "other"})));
  CHECK(!set.HasAtOrUnder(Fields({"spec", "gone"})));
  CHECK(!set.Has(Fields({"spec", "containers"})));
  // The same object found back by path, defaults honoured.
  const Value* found = ValueAtPath(obj, port, s);
  REQUIRE(found != nullptr);
  CHECK((*found)["containerPort"] == 80);
}

TEST_CASE("apply merges map lists item by item and sets by value") {
  MergeSchema s(&Schema());
  Value live = Value::parse(R"({"spec":{"containers":[{"name":"a","image":"1","env":[{"name":"X","value":"1"}]},{"name":"b","image":"2"}],
    "finalizers":["f1"],"selector":{"app":"x","tier":"y"}}})");
  Value applied = Value::parse(R"({"spec":{"containers":[{"name":"c","image":"3"},{"name":"a","env":[{"name":"Y","value":"2"}]}],
    "finalizers":["f2"],"selector":{"app":"z"}}})");
  Value merged = MergeApplied(live, applied, s);
  CHECK(SemanticallyEqual(merged, Value::parse(R"({"spec":{"containers":[
      {"name":"c","image":"3"},{"name":"a","image":"1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]},{"name":"b","image":"2"}],
    "finalizers":["f1","f2"],"selector":{"app":"z"}}})")));
  // Order: the applied order for shared items, others keep their place.
  CHECK(merged["spec"]["containers"][0]["name"] == "c");
  CHECK(merged["spec"]["containers"][2]["name"] == "b");
}

TEST_CASE("removing list items and fields by path") {
  MergeSchema s(&Schema());
  Value obj = Value::parse(R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":80}]},{"name":"b"}],"finalizers":["f1","f2"]}})");
  FieldPath port = Container("a");
  port.push_back("f:ports");
  port.push_back(R"(k:{"containerPort":80,"protocol":"TCP"})");
  CHECK(RemovePath(obj, port, s));
  CHECK(RemovePath(obj, Container("b"), s));
  CHECK(RemovePath(obj, {"f:spec", "f:finalizers", R"(v:"f1")"}, s));
  CHECK(!RemovePath(obj, Container("zzz"), s));
  CHECK(SemanticallyEqual(obj, Value::parse(R"({"spec":{"containers":[{"name":"a"}],"finalizers":["f2"]}})")));
}

TEST_CASE("diffs track list items") {
  MergeSchema s(&Schema());
  Value from = Value::parse(R"({"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"2"}],"finalizers":["f1"]}})");
  Value to = Value::parse(R"({"spec":{"containers":[{"name":"a","image":"9"},{"name":"c","image":"3"}],"finalizers":["f1","f2"]}})");
  FieldSet changed, removed;
  DiffFields(from, to, s, changed, removed);
  auto with = [](FieldPath p, const std::string& e) {
    p.push_back(e);
    return p;
  };
  CHECK(changed.Members() ==
        std::vector<FieldPath>{with(Container("a"), "f:image"), Container("c"), with(Container("c"), "f:image"),
                               with(Container("c"), "f:name"), {"f:spec", "f:finalizers", R"(v:"f2")"}});
  CHECK(removed.Members() == std::vector<FieldPath>{Container("b")});
}

TEST_CASE("no schema: maps granular, lists atomic") {
  MergeSchema none;
  Value live = Value::parse(R"({"a":{"x":1,"l":[1,2]}})");
  Value merged = MergeApplied(live, Value::parse(R"({"a":{"y":2,"l":[3],"x":null}})"), none);
  CHECK(SemanticallyEqual(merged, Value::parse(R"({"a":{"y":2,"l":[3]}})")));
  FieldSet set = FieldSetOf(merged, none);
  CHECK(set.Members() == std::vector<FieldPath>{Fields({"a", "l"}), Fields({"a", "y"})});
}

TEST_CASE("apply configurations need complete, unique list keys") {
  MergeSchema s(&Schema());
  CHECK(CheckAssociativeLists(Value::parse(R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":80}]}]}})"), s)
            .empty());
  CHECK(CheckAssociativeLists(Value::parse(R"({"spec":{"containers":[{"image":"x"}]}})"), s) ==
        std::vector<std::string>{
            R"(.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn't have default value))"});
  CHECK(CheckAssociativeLists(Value::parse(R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":80},{"containerPort":80,"protocol":"TCP"}]}]}})"), s) ==
        std::vector<std::string>{
            R"(.spec.containers[name="a"].ports: duplicate entries for key [containerPort=80,protocol="TCP"])"});
  CHECK(CheckAssociativeLists(Value::parse(R"({"spec":{"finalizers":["a","a"]}})"), s) ==
        std::vector<std::string>{R"(.spec.finalizers: duplicate entries for key [="a"])"});
}

TEST_CASE("live items sharing a key survive an apply") {
  MergeSchema s(&Schema());
  Value live = Value::parse(R"({"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"},{"name":"X","value":"2"}]}]}})");
  Value merged = MergeApplied(live, Value::parse(R"({"spec":{"containers":[{"name":"a","image":"i"}]}})"), s);
  CHECK(merged["spec"]["containers"][0]["env"].size() == 2);
  CHECK(merged["spec"]["containers"][0]["image"] == "i");
}
