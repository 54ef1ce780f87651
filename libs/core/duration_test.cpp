#include "libs/core/duration.h"

#include <catch2/catch.hpp>

using fluxcpp::Duration;
using fluxcpp::FormatGoDuration;
using fluxcpp::ParseGoDuration;
using namespace std::chrono_literals;

TEST_CASE("ParseGoDuration accepts Go's forms") {
  CHECK(*ParseGoDuration("1m") == Duration(60s));
  CHECK(*ParseGoDuration("1m30s") == Duration(90s));
  CHECK(*ParseGoDuration("750ms") == Duration(750ms));
  CHECK(*ParseGoDuration("1.5h") == Duration(90min));
  CHECK(*ParseGoDuration("0") == Duration(0));
  CHECK(*ParseGoDuration("-2s") == Duration(-2s));
  CHECK(*ParseGoDuration("1h2m3s4ms5us6ns") == Duration(1h + 2min + 3s + 4ms + 5us + 6ns));
}

TEST_CASE("ParseGoDuration rejects malformed input") {
  CHECK_FALSE(ParseGoDuration("").ok());
  CHECK_FALSE(ParseGoDuration("10").ok());
  CHECK_FALSE(ParseGoDuration("1d").ok());
  CHECK_FALSE(ParseGoDuration("m").ok());
  CHECK_FALSE(ParseGoDuration(".s").ok());
  CHECK(ParseGoDuration("10").status().message() == "missing unit in duration \"10\"");
}

TEST_CASE("FormatGoDuration matches Go's Duration.String") {
  CHECK(FormatGoDuration(Duration(0)) == "0s");
  CHECK(FormatGoDuration(30s) == "30s");
  CHECK(FormatGoDuration(1min) == "1m0s");
  CHECK(FormatGoDuration(1h) == "1h0m0s");
  CHECK(FormatGoDuration(90min) == "1h30m0s");
  CHECK(FormatGoDuration(750ms) == "750ms");
  CHECK(FormatGoDuration(1500ms) == "1.5s");
  CHECK(FormatGoDuration(Duration(1500)) == "1.5\xC2\xB5s");
  CHECK(FormatGoDuration(Duration(12)) == "12ns");
  CHECK(FormatGoDuration(-5s) == "-5s");
  CHECK(FormatGoDuration(*ParseGoDuration("4m14.5s")) == "4m14.5s");
}
