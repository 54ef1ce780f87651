#include "libs/runtime/malloc_tuning.h"

#include <malloc.h>
#include <stdlib.h>

#include <catch2/catch.hpp>

namespace fluxcpp::runtime {
namespace {

TEST_CASE("LimitMallocArenas applies the cap unless MALLOC_ARENA_MAX is set", "[malloc]") {
  ::unsetenv("MALLOC_ARENA_MAX");
  // Under AddressSanitizer malloc is not glibc's and mallopt() refuses every
  // setting: then the contract is "0, nothing applied".
  const bool glibc_malloc = mallopt(M_ARENA_MAX, 8) == 1;
  if (glibc_malloc) {
    CHECK(LimitMallocArenas(3) == 3);
    CHECK(LimitMallocArenas() == kControllerMallocArenas);
  } else {
    CHECK(LimitMallocArenas(3) == 0);
  }
  CHECK(LimitMallocArenas(0) == 0);
  ::setenv("MALLOC_ARENA_MAX", "4", 1);
  CHECK(LimitMallocArenas(2) == 0);
  ::unsetenv("MALLOC_ARENA_MAX");
}

}  // namespace
}  // namespace fluxcpp::runtime
