#pragma once
// Go time.Duration strings ("1m30s", "750ms", "1.5h") as used by every Flux
// interval/timeout field and flag.

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fluxcpp {

using Duration = std::chrono::nanoseconds;

// Parses like Go's time.ParseDuration: units ns, us (µs), ms, s, m, h;
// fractions and sign allowed; "0" alone is valid.
absl::StatusOr<Duration> ParseGoDuration(std::string_view text);

// Formats like Go's Duration.String(): "1h0m0s", "30s", "750ms", "0s".
std::string FormatGoDuration(Duration d);

}  // namespace fluxcpp
