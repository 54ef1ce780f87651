#pragma once
// glibc malloc settings for a controller process. glibc gives threads that
// allocate concurrently their own arena, up to 8 per core; a controller's
// threads (workers, informers, servers) mostly wait on I/O, so extra arenas
// only hold memory: each keeps freed chunks for itself and is trimmed
// separately. Capping them lowers idle and long-run RSS (tools/bench/runtime)
// at no measurable cost to dispatch.

namespace fluxcpp::runtime {

constexpr int kControllerMallocArenas = 2;

// Caps malloc arenas at `max_arenas` unless MALLOC_ARENA_MAX is set in the
// environment (the operator's choice wins). Returns the cap applied, 0 when
// left to the environment or when glibc refused it.
int LimitMallocArenas(int max_arenas = kControllerMallocArenas);

}  // namespace fluxcpp::runtime
