#include "libs/runtime/malloc_tuning.h"

#include <stdlib.h>

#include <catch2/catch.hpp>

namespace fluxcpp::runtime {
namespace {

TEST_CASE("LimitMallocArenas applies the cap unless MALLOC_ARENA_MAX is set", "[malloc]") {
  ::unsetenv("MALLOC_ARENA_MAX");
  CHECK(LimitMallocArenas(3) == 3);
  CHECK(LimitMallocArenas() == kControllerMallocArenas);
  CHECK(LimitMallocArenas(0) == 0);
  ::setenv("MALLOC_ARENA_MAX", "4", 1);
  CHECK(LimitMallocArenas(2) == 0);
  ::unsetenv("MALLOC_ARENA_MAX");
}

}  // namespace
}  // namespace fluxcpp::runtime
