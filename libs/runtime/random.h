#pragma once
// One random generator per thread for the framework (jitter, reconcile IDs).
// Shared so that each thread carries a single small generator in its static
// TLS instead of one std::mt19937_64 (2.5 KiB) per call site: glibc clears a
// thread's whole static TLS block when it starts, so every worker and server
// thread paid for each of them in idle RSS (tools/bench/runtime idle).

#include "absl/random/random.h"

namespace fluxcpp::runtime {

// The calling thread's generator, seeded from the OS on first use. Not to be
// shared across threads.
absl::BitGen& ThreadRandom();

}  // namespace fluxcpp::runtime
