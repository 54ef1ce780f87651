#include "libs/runtime/malloc_tuning.h"

#include <malloc.h>

#include <cstdlib>

namespace fluxcpp::runtime {

int LimitMallocArenas(int max_arenas) {
  if (max_arenas <= 0) return 0;
  if (const char* env = std::getenv("MALLOC_ARENA_MAX"); env != nullptr && *env != '\0') return 0;
  return mallopt(M_ARENA_MAX, max_arenas) == 1 ? max_arenas : 0;
}

}  // namespace fluxcpp::runtime
