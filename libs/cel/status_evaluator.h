#pragma once
// Flux's healthCheckExprs semantics (fluxcd/pkg runtime/cel StatusEvaluator).
//
// Given `current` (required), `inProgress` and `failed` (optional), an object's
// status is computed as:
//   1. status.observedGeneration and metadata.generation both present and
//      different -> InProgress, nothing evaluated;
//   2. evaluate inProgress, failed, current in that order against the object's
//      top-level fields (Kubernetes number mode); the first true wins;
//   3. an evaluation error (or non-bool result) is returned as an error;
//   4. none true -> InProgress.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "libs/cel/cel.h"
#include "libs/object/value.h"

namespace fluxcpp::cel {

enum class HealthStatus { kCurrent, kInProgress, kFailed };
std::string_view HealthStatusName(HealthStatus s);  // "Current", "InProgress", "Failed"

struct HealthCheckExprs {
  std::string current;
  std::string in_progress;  // empty = not set
  std::string failed;       // empty = not set
};

class StatusEvaluator {
 public:
  // Compiles the expressions; errors name the offending field ("current: ...").
  static absl::StatusOr<StatusEvaluator> Create(const HealthCheckExprs& exprs);

  // Computes the status of `object` (a Kubernetes object as JSON).
  absl::StatusOr<HealthStatus> Evaluate(const object::Value& object) const;

 private:
  std::optional<Program> current_, in_progress_, failed_;
};

}  // namespace fluxcpp::cel
