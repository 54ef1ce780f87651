#include "libs/runtime/random.h"

namespace fluxcpp::runtime {

absl::BitGen& ThreadRandom() {
  thread_local absl::BitGen gen;
  return gen;
}

}  // namespace fluxcpp::runtime
