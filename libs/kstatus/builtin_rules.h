#pragma once
// Internal: the per-kind rules of kstatus' core.go ("legacy types").

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kstatus/status.h"
#include "libs/object/value.h"

namespace fluxcpp::kstatus::internal {

// Result of the built-in rule for obj's group/kind, or nullopt when kstatus has
// no rule for that kind.
std::optional<absl::StatusOr<Result>> ApplyBuiltinRule(const object::Value& obj, absl::Time now);

// Shorthands for the results the rules produce.
Result NewInProgress(std::string reason, std::string message);
Result NewFailed(std::string reason, std::string message);
Result NewCurrent(std::string message);

}  // namespace fluxcpp::kstatus::internal
