#include "libs/cel/value.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace fluxcpp::cel;

TEST_CASE("numeric equality is heterogeneous but kinds stay distinct", "[unit]") {
  CHECK(Equal(Value::Int(1), Value::Uint(1)));
  CHECK(Equal(Value::Int(1), Value::Double(1.0)));
  CHECK_FALSE(Equal(Value::Int(1), Value::String("1")));
  CHECK_FALSE(Equal(Value::Double(NAN), Value::Double(NAN)));
  CHECK(Value::Int(1).TypeName() == "int");
  CHECK(Value::Uint(1).TypeName() == "uint");
}

TEST_CASE("ordering across numeric kinds and NaN", "[unit]") {
  bool unordered = false;
  CHECK(Compare(Value::Int(-1), Value::Uint(0), &unordered) == -1);
  CHECK(Compare(Value::Uint(UINT64_MAX), Value::Int(INT64_MAX), &unordered) == 1);
  CHECK(Compare(Value::Double(1.5), Value::Int(1), &unordered) == 1);
  CHECK_FALSE(Compare(Value::Double(NAN), Value::Int(1), &unordered).has_value());
  CHECK(unordered);
  CHECK_FALSE(Compare(Value::String("a"), Value::Int(1), &unordered).has_value());
  CHECK_FALSE(unordered);
  CHECK(Compare(Value::String("a"), Value::String("b"), &unordered) == -1);
}

TEST_CASE("maps: int and uint keys collide, doubles find integral keys", "[unit]") {
  MapValue m;
  CHECK(m.Insert(Value::Int(1), Value::String("one")));
  CHECK_FALSE(m.Insert(Value::Uint(1), Value::String("again")));
  CHECK_FALSE(m.Insert(Value::Double(2.0), Value::Null()));  // doubles are not keys
  CHECK_FALSE(m.Insert(Value::Null(), Value::Null()));
  REQUIRE(m.Find(Value::Double(1.0)) != nullptr);
  CHECK(m.Find(Value::Double(1.0))->str() == "one");
  CHECK(m.Find(Value::Double(1.5)) == nullptr);
  CHECK(m.Find(Value::String("1")) == nullptr);
}

TEST_CASE("list and map equality", "[unit]") {
  auto a = std::make_shared<MapValue>();
  a->Insert(Value::String("x"), Value::Int(1));
  a->Insert(Value::String("y"), Value::Int(2));
  auto b = std::make_shared<MapValue>();
  b->Insert(Value::String("y"), Value::Double(2));
  b->Insert(Value::String("x"), Value::Uint(1));
  CHECK(Equal(Value::Map(a), Value::Map(b)));
  CHECK(Equal(Value::List({Value::Int(1)}), Value::List({Value::Double(1)})));
  CHECK_FALSE(Equal(Value::List({Value::Int(1)}), Value::List({})));
}

TEST_CASE("FormatDouble follows Go's %g", "[unit]") {
  CHECK(FormatDouble(123.456) == "123.456");
  CHECK(FormatDouble(-4.5e-3) == "-0.0045");
  CHECK(FormatDouble(1e6) == "1e+06");
  CHECK(FormatDouble(1e-5) == "1e-05");
  CHECK(FormatDouble(100000) == "100000");
  CHECK(FormatDouble(0.0) == "0");
  CHECK(FormatDouble(1e21, 1000) == "1000000000000000000000");
}

TEST_CASE("timestamps and durations print like protobuf JSON", "[unit]") {
  CHECK(FormatTimestamp(0, 0) == "1970-01-01T00:00:00Z");
  CHECK(FormatTimestamp(1095379199, 500000000) == "2004-09-16T23:59:59.5Z");
  CHECK(FormatDuration(6347, 0) == "6347s");
  CHECK(FormatDuration(-1, -500000000) == "-1.5s");
}

TEST_CASE("DebugString renders CEL literals", "[unit]") {
  CHECK(Value::List({Value::Int(1), Value::Uint(2), Value::String("a\"b")}).DebugString() == "[1, 2u, \"a\\\"b\"]");
  CHECK(Value::Double(2).DebugString() == "2.0");
  CHECK(Value::OptionalNone().DebugString() == "optional.none()");
}
