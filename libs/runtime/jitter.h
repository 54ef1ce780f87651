#pragma once
// Interval jitter, as fluxcd/pkg/runtime/jitter: a requeue interval `d`
// becomes a uniformly random duration in [d - d*p/100, d + d*p/100), so that
// many objects with the same spec.interval do not reconcile in lock-step.
// Flux's flag --interval-jitter-percentage defaults to 5 and must be in [0, 100).

#include "absl/status/status.h"
#include "libs/core/duration.h"

namespace fluxcpp::runtime {

inline constexpr double kDefaultIntervalJitterPercentage = 5.0;

// InvalidArgument unless 0 <= percentage < 100.
absl::Status ValidateJitterPercentage(double percentage);

// `d` jittered by ±`percentage`%. Returns `d` unchanged when percentage <= 0
// or d <= 0. Thread-safe.
Duration Jitter(Duration d, double percentage);

}  // namespace fluxcpp::runtime
