#include "libs/kstatus/aggregate.h"

namespace fluxcpp::kstatus {

Status AggregateStatus(const std::vector<Status>& statuses, Status desired) {
  if (statuses.empty()) return desired;
  bool all_desired = true;
  bool any_unknown = false;
  for (Status s : statuses) {
    if (s == Status::kFailed) return Status::kFailed;
    if (s == Status::kUnknown) any_unknown = true;
    if (s != desired) all_desired = false;
  }
  if (any_unknown) return Status::kUnknown;
  if (all_desired) return desired;
  return Status::kInProgress;
}

}  // namespace fluxcpp::kstatus
