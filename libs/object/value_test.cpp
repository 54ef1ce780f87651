#include "libs/object/value.h"

#include <catch2/catch.hpp>

using fluxcpp::object::Value;
namespace obj = fluxcpp::object;

TEST_CASE("JSON keeps key order and number kinds") {
  auto v = obj::ParseJson(R"({"z":1,"a":1.5,"m":{"k":"v"}})");
  REQUIRE(v.ok());
  CHECK(obj::ToJson(*v) == R"({"z":1,"a":1.5,"m":{"k":"v"}})");
  CHECK((*v)["z"].is_number_integer());
  CHECK((*v)["a"].is_number_float());
  CHECK_FALSE(obj::ParseJson("{bad").ok());
}

TEST_CASE("path accessors") {
  Value v = *obj::ParseJson(R"({"metadata":{"name":"x","generation":3},"spec":{"suspend":true}})");
  CHECK(obj::GetString(v, {"metadata", "name"}) == "x");
  CHECK(obj::GetString(v, {"metadata", "missing"}, "d") == "d");
  CHECK(obj::GetInt(v, {"metadata", "generation"}) == 3);
  CHECK(obj::GetBool(v, {"spec", "suspend"}));
  CHECK(obj::Find(v, {"spec", "suspend", "deeper"}) == nullptr);
  obj::Ensure(v, {"status", "artifact", "path"}) = "p";
  CHECK(obj::GetString(v, {"status", "artifact", "path"}) == "p");
  CHECK(obj::Erase(v, {"status", "artifact"}));
  CHECK_FALSE(obj::Erase(v, {"status", "artifact"}));
}
