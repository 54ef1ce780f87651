#include "libs/cel/time_util.h"

#include <catch2/catch.hpp>

using namespace fluxcpp::cel;

TEST_CASE("civil conversion round-trips", "[unit]") {
  CivilTime t = ToCivil(1095379199, 0);
  CHECK(t.year == 2004);
  CHECK(t.month == 9);
  CHECK(t.day == 16);
  CHECK(t.hour == 23);
  CHECK(t.day_of_week == 4);  // Thursday
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(ToCivil(-1, 0).year == 1969);
  CHECK(ToCivil(0, -3600).hour == 23);
}

TEST_CASE("RFC 3339 timestamps", "[unit]") {
  auto r = ParseTimestamp("2023-02-03T23:31:20+01:00");
  REQUIRE(r.ok());
  CHECK(r->first == 1675467080 - 3600);  // 2023-02-03T23:31:20Z is 1675467080
  auto f = ParseTimestamp("2023-02-03T23:31:20.25Z");
  REQUIRE(f.ok());
  CHECK(f->second == 250000000);
  CHECK_FALSE(ParseTimestamp("2023-02-30T00:00:00Z").ok());
  CHECK_FALSE(ParseTimestamp("2023-02-03 23:31:20Z").ok());
  CHECK_FALSE(ParseTimestamp("10000-01-01T00:00:00Z").ok());
}

TEST_CASE("Go durations", "[unit]") {
  auto d = ParseDuration("1h45m47.5s");
  REQUIRE(d.ok());
  CHECK(d->first == 6347);
  CHECK(d->second == 500000000);
  auto n = ParseDuration("-10ms");
  REQUIRE(n.ok());
  CHECK(n->first == 0);
  CHECK(n->second == -10000000);
  CHECK(ParseDuration("0").ok());
  CHECK_FALSE(ParseDuration("").ok());
  CHECK_FALSE(ParseDuration("10").ok());
  CHECK_FALSE(ParseDuration("1d").ok());
  CHECK_FALSE(ParseDuration("99999999999999h").ok());
  CHECK(ParseDuration("2562047h").ok());       // just inside int64 nanoseconds
  CHECK_FALSE(ParseDuration("2562048h").ok());
}

TEST_CASE("time zone offsets", "[unit]") {
  CHECK(ParseZoneOffset("UTC") == 0);
  CHECK(ParseZoneOffset("+05:30") == 19800);
  CHECK(ParseZoneOffset("-08:00") == -28800);
  CHECK_FALSE(ParseZoneOffset("Mars/Base").has_value());
}
