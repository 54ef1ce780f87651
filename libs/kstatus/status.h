#pragma once
// The vocabulary of kstatus (Flux's fork, github.com/fluxcd/cli-utils
// pkg/kstatus/status): the status an object can be in, the standard
// "abnormal-true" conditions (Reconciling, Stalled) and the result of a
// status computation.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fluxcpp::kstatus {

// The status of one object. kNotFound and kUnknown never come out of
// Compute(): the polling layer reports them (lookup 404 / computing failed).
enum class Status { kInProgress, kFailed, kCurrent, kTerminating, kNotFound, kUnknown };

// "InProgress", "Failed", "Current", "Terminating", "NotFound", "Unknown".
std::string StatusName(Status status);

// Inverse of StatusName; nullopt for any other text (case-sensitive).
std::optional<Status> ParseStatus(std::string_view name);

// The standard condition types kstatus derives ("abnormal-true" convention).
inline constexpr std::string_view kConditionReconciling = "Reconciling";
inline constexpr std::string_view kConditionStalled = "Stalled";

// A condition as kstatus reads and reports it.
struct Condition {
  std::string type;
  std::string status;  // "True", "False" or "Unknown"
  std::string reason;
  std::string message;

  bool operator==(const Condition&) const = default;
};

// Outcome of a status computation.
//   status      - the computed status
//   message     - human-readable explanation, worded as kstatus words it
//                 (e.g. "Deployment is available. Replicas: 3")
//   conditions  - the standard conditions (Reconciling / Stalled) that would
//                 belong on the object; empty for Current / Terminating
//   error       - set only by ReadStatus() when computing failed (status is
//                 then kUnknown); Flux appends it to health-check messages
struct Result {
  Status status = Status::kUnknown;
  std::string message;
  std::vector<Condition> conditions;
  std::string error;
};

}  // namespace fluxcpp::kstatus
