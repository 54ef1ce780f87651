#include "libs/kustomize/kyaml_writer.h"

#include <catch2/catch.hpp>

#include "libs/kustomize/yaml_scalar.h"

namespace kz = fluxcpp::kustomize;
using fluxcpp::object::Value;

TEST_CASE("keys sort in go-yaml v2 order") {
  CHECK(kz::GoYamlKeyLess("apiVersion", "kind"));
  CHECK(kz::GoYamlKeyLess("a9", "a10"));
  CHECK(kz::GoYamlKeyLess("_x", "Bx"));  // non-letters before letters
  CHECK(kz::GoYamlKeyLess("B", "a"));
  CHECK_FALSE(kz::GoYamlKeyLess("kind", "apiVersion"));
}

TEST_CASE("scalars are quoted like go-yaml v2") {
  Value v = Value::object();
  v["a"] = "true";
  v["b"] = "yes";
  v["c"] = "1.5";
  v["d"] = "2024-01-01";
  v["e"] = "";
  v["f"] = "a: b";
  v["g"] = " lead";
  v["h"] = "plain text";
  v["i"] = "1:20";
  v["j"] = "tab\there";
  v["k"] = 3;
  v["l"] = 1.5;
  v["m"] = nullptr;
  v["o"] = "0x1F";
  CHECK(kz::MarshalResource(v) ==
        "a: \"true\"\nb: \"yes\"\nc: \"1.5\"\nd: \"2024-01-01\"\ne: \"\"\nf: 'a: b'\ng: ' lead'\nh: plain text\n"
        "i: \"1:20\"\nj: \"tab\\there\"\nk: 3\nl: 1.5\nm: null\no: \"0x1F\"\n");
}

TEST_CASE("block layout, literals and empty collections") {
  Value v = Value::object();
  v["list"] = Value::array({Value{{"name", "c"}, {"ports", Value::array({Value{{"containerPort", 80}}})}}, "s"});
  v["multi"] = "a\nb\n";
  v["strip"] = "a\nb";
  v["empty"] = Value::object();
  v["none"] = Value::array();
  v["nested"] = Value::array({Value::array({1, 2})});
  CHECK(kz::MarshalResource(v) ==
        "empty: {}\nlist:\n- name: c\n  ports:\n  - containerPort: 80\n- s\nmulti: |\n  a\n  b\nnested:\n- - 1\n  - 2\n"
        "none: []\nstrip: |-\n  a\n  b\n");
}

TEST_CASE("long strings fold at column 80") {
  Value v = Value::object();
  v["data"] = Value::object();
  v["data"]["nonsense"] =
      "Lorem ipsum dolor sit amet, consectetur\nadipiscing elit, sed do eiusmod tempor\nincididunt ut labore et "
      "dolore magna aliqua. \n";
  CHECK(kz::MarshalResource(v) ==
        "data:\n  nonsense: \"Lorem ipsum dolor sit amet, consectetur\\nadipiscing elit, sed do eiusmod\n    "
        "tempor\\nincididunt ut labore et dolore magna aliqua. \\n\"\n");
}

TEST_CASE("floats format like Go") {
  CHECK(kz::FormatGoFloat(1.0) == "1");
  CHECK(kz::FormatGoFloat(1.5) == "1.5");
  CHECK(kz::FormatGoFloat(1234567.5) == "1.2345675e+06");
  CHECK(kz::FormatGoFloat(0.0001) == "0.0001");
  CHECK(kz::FormatGoFloat(0.00001) == "1e-05");
}
