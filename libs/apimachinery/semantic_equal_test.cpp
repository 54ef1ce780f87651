#include "libs/apimachinery/semantic_equal.h"

#include <catch2/catch.hpp>

using fluxcpp::apimachinery::SemanticallyEqual;
using fluxcpp::object::Value;

TEST_CASE("semantic equality ignores key order only") {
  CHECK(SemanticallyEqual(Value::parse(R"({"a":1,"b":{"c":[1,{"x":1,"y":2}]}})"),
                          Value::parse(R"({"b":{"c":[1,{"y":2,"x":1}]},"a":1})")));
  CHECK(!SemanticallyEqual(Value::parse(R"([1,2])"), Value::parse(R"([2,1])")));
  CHECK(!SemanticallyEqual(Value::parse(R"({"a":1})"), Value::parse(R"({"a":1,"b":null})")));
  CHECK(SemanticallyEqual(Value::parse("1"), Value::parse("1.0")));
  CHECK(!SemanticallyEqual(Value::parse(R"("1")"), Value::parse("1")));
}
