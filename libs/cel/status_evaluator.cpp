#include "libs/cel/status_evaluator.h"

#include "libs/core/status_macros.h"

namespace fluxcpp::cel {

std::string_view HealthStatusName(HealthStatus s) {
  switch (s) {
    case HealthStatus::kCurrent: return "Current";
    case HealthStatus::kInProgress: return "InProgress";
    case HealthStatus::kFailed: return "Failed";
  }
  return "Unknown";
}

absl::StatusOr<StatusEvaluator> StatusEvaluator::Create(const HealthCheckExprs& exprs) {
  StatusEvaluator ev;
  if (exprs.current.empty()) return absl::InvalidArgumentError("current: expression is required");
  auto compile = [](std::string_view field, const std::string& src, std::optional<Program>* out) -> absl::Status {
    if (src.empty()) return absl::OkStatus();
    auto p = Compile(src);
    if (!p.ok()) return Annotate(p.status(), std::string(field));
    *out = std::move(*p);
    return absl::OkStatus();
  };
  FLUX_RETURN_IF_ERROR(compile("inProgress", exprs.in_progress, &ev.in_progress_));
  FLUX_RETURN_IF_ERROR(compile("failed", exprs.failed, &ev.failed_));
  FLUX_RETURN_IF_ERROR(compile("current", exprs.current, &ev.current_));
  return ev;
}

absl::StatusOr<HealthStatus> StatusEvaluator::Evaluate(const object::Value& object) const {
  const object::Value* observed = object::Find(object, {"status", "observedGeneration"});
  const object::Value* generation = object::Find(object, {"metadata", "generation"});
  if (observed && generation && *observed != *generation) return HealthStatus::kInProgress;

  Activation act;
  act.BindJsonFields(object, NumberMode::kKubernetes);
  struct Step {
    const char* field;
    const std::optional<Program>* program;
    HealthStatus status;
  };
  const Step steps[] = {{"inProgress", &in_progress_, HealthStatus::kInProgress},
                        {"failed", &failed_, HealthStatus::kFailed},
                        {"current", &current_, HealthStatus::kCurrent}};
  for (const auto& s : steps) {
    if (!s.program->has_value()) continue;
    auto r = (*s.program)->EvaluateBool(act);
    if (!r.ok()) return Annotate(r.status(), std::string("failed to evaluate the ") + s.field + " expression");
    if (*r) return s.status;
  }
  return HealthStatus::kInProgress;
}

}  // namespace fluxcpp::cel
