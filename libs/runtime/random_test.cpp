#include "libs/runtime/random.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <thread>

namespace fluxcpp::runtime {
namespace {

TEST_CASE("ThreadRandom draws differ and stay in range", "[random]") {
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(absl::Uniform<uint64_t>(ThreadRandom()));
  CHECK(seen.size() == 1000);
  for (int i = 0; i < 1000; ++i) {
    double v = absl::Uniform(ThreadRandom(), -0.1, 0.1);
    REQUIRE(v >= -0.1);
    REQUIRE(v < 0.1);
  }
}

TEST_CASE("ThreadRandom is one generator per thread", "[random]") {
  absl::BitGen* main_gen = &ThreadRandom();
  CHECK(&ThreadRandom() == main_gen);
  absl::BitGen* other = nullptr;
  std::thread([&] { other = &ThreadRandom(); }).join();
  CHECK(other != main_gen);
}

}  // namespace
}  // namespace fluxcpp::runtime
