#pragma once
// The process_* series of Prometheus' process collector, read from
// /proc/self on every scrape (Linux only):
//   process_cpu_seconds_total, process_resident_memory_bytes,
//   process_virtual_memory_bytes, process_start_time_seconds,
//   process_open_fds, process_max_fds.

#include "libs/runtime/metrics.h"

namespace fluxcpp::runtime {

// Registers the families and a collect hook refreshing them. Call once per registry.
void RegisterProcessMetrics(MetricsRegistry& registry);

}  // namespace fluxcpp::runtime
