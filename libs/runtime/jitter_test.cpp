#include "libs/runtime/jitter.h"

#include <catch2/catch.hpp>

namespace fluxcpp::runtime {
namespace {

using namespace std::chrono_literals;

TEST_CASE("Jitter stays within ±p% and spreads", "[jitter]") {
  const Duration d = 10min;
  Duration lo = d, hi = d;
  for (int i = 0; i < 5000; ++i) {
    Duration j = Jitter(d, 5);
    REQUIRE(j >= d - d / 20);
    REQUIRE(j <= d + d / 20);
    lo = std::min(lo, j);
    hi = std::max(hi, j);
  }
  REQUIRE(lo < d - d / 40);  // both sides are reached
  REQUIRE(hi > d + d / 40);
}

TEST_CASE("Jitter is a no-op for zero percentage or duration", "[jitter]") {
  REQUIRE(Jitter(1min, 0) == 1min);
  REQUIRE(Jitter(Duration::zero(), 5) == Duration::zero());
}

TEST_CASE("Jitter percentage validation", "[jitter]") {
  REQUIRE(ValidateJitterPercentage(0).ok());
  REQUIRE(ValidateJitterPercentage(5).ok());
  REQUIRE(ValidateJitterPercentage(99.9).ok());
  REQUIRE_FALSE(ValidateJitterPercentage(100).ok());
  REQUIRE_FALSE(ValidateJitterPercentage(-1).ok());
}

}  // namespace
}  // namespace fluxcpp::runtime
