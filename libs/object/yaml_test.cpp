#include "libs/object/yaml.h"

#include <catch2/catch.hpp>

using fluxcpp::object::Value;
namespace obj = fluxcpp::object;

TEST_CASE("plain scalars resolve like sigs.k8s.io/yaml") {
  CHECK(obj::ResolvePlainScalar("").is_null());
  CHECK(obj::ResolvePlainScalar("~").is_null());
  CHECK(obj::ResolvePlainScalar("yes") == Value(true));
  CHECK(obj::ResolvePlainScalar("Off") == Value(false));
  CHECK(obj::ResolvePlainScalar("y") == Value(true));
  CHECK(obj::ResolvePlainScalar("42") == Value(42));
  CHECK(obj::ResolvePlainScalar("-7") == Value(-7));
  CHECK(obj::ResolvePlainScalar("0x1F") == Value(31));
  CHECK(obj::ResolvePlainScalar("0755") == Value(493));
  CHECK(obj::ResolvePlainScalar("0o17") == Value(15));
  CHECK(obj::ResolvePlainScalar("1_000") == Value(1000));
  CHECK(obj::ResolvePlainScalar("1.5").is_number_float());
  CHECK(obj::ResolvePlainScalar("1e3").is_number_float());
  CHECK(obj::ResolvePlainScalar("08").is_number_float());  // invalid octal, valid float
  CHECK(obj::ResolvePlainScalar("2024-01-01") == Value("2024-01-01"));
  CHECK(obj::ResolvePlainScalar("1.2.3") == Value("1.2.3"));
  CHECK(obj::ResolvePlainScalar("v1") == Value("v1"));
  CHECK(obj::ResolvePlainScalar("18446744073709551615").is_number_unsigned());
}

TEST_CASE("multi-document streams") {
  auto docs = obj::ParseYamlDocuments(R"(---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
data:
  quoted: "true"
  plain: true
  num: 8080
---
# only a comment
---
apiVersion: v1
kind: Namespace
metadata: {name: b}
)");
  REQUIRE(docs.ok());
  REQUIRE(docs->size() == 2);
  CHECK((*docs)[0]["data"]["quoted"] == Value("true"));
  CHECK((*docs)[0]["data"]["plain"] == Value(true));
  CHECK((*docs)[0]["data"]["num"] == Value(8080));
  CHECK((*docs)[1]["metadata"]["name"] == Value("b"));
}

TEST_CASE("anchors, merge keys and non-string keys") {
  auto v = obj::ParseYaml(R"(
base: &b {x: 1, z: 2}
derived:
  <<: *b
  z: 3
1: one
true: yes
y: key-y-is-a-bool-in-yaml-1.1
)");
  REQUIRE(v.ok());
  CHECK((*v)["derived"]["x"] == Value(1));
  CHECK((*v)["derived"]["z"] == Value(3));
  CHECK((*v)["true"] == Value("key-y-is-a-bool-in-yaml-1.1"));
  CHECK((*v)["1"] == Value("one"));
}

TEST_CASE("parse errors carry a position") {
  auto v = obj::ParseYaml("a: [1, 2\nb: c\n");
  REQUIRE_FALSE(v.ok());
  CHECK(std::string(v.status().message()).find("yaml: line") == 0);
}

TEST_CASE("ToYaml emits kyaml layout and round-trips") {
  Value v = *obj::ParseJson(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"app":"a"}},)"
      R"("data":{"t":"true","num":"8080","e":"","multi":"a\nb\n","s":"plain text"},)"
      R"("list":[{"name":"c","ports":[{"containerPort":80}]},"str",1],"empty":{},"none":[]})");
  std::string y = obj::ToYaml(v);
  CHECK(y.find("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    app: a\n  name: x\n") == std::string::npos);
  CHECK(y.find("metadata:\n  name: x\n  labels:\n    app: a\n") != std::string::npos);
  CHECK(y.find("  t: \"true\"\n") != std::string::npos);
  CHECK(y.find("  num: \"8080\"\n") != std::string::npos);
  CHECK(y.find("  e: \"\"\n") != std::string::npos);
  CHECK(y.find("  multi: |\n    a\n    b\n") != std::string::npos);
  CHECK(y.find("list:\n- name: c\n  ports:\n  - containerPort: 80\n- str\n- 1\n") != std::string::npos);
  CHECK(y.find("empty: {}\n") != std::string::npos);
  auto back = obj::ParseYaml(y);
  REQUIRE(back.ok());
  CHECK(*back == v);
}
