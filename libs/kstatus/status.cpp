#include "libs/kstatus/status.h"

namespace fluxcpp::kstatus {

std::string StatusName(Status status) {
  switch (status) {
    case Status::kInProgress:
      return "InProgress";
    case Status::kFailed:
      return "Failed";
    case Status::kCurrent:
      return "Current";
    case Status::kTerminating:
      return "Terminating";
    case Status::kNotFound:
      return "NotFound";
    case Status::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

std::optional<Status> ParseStatus(std::string_view name) {
  for (Status s : {Status::kInProgress, Status::kFailed, Status::kCurrent, Status::kTerminating,
                   Status::kNotFound, Status::kUnknown}) {
    if (StatusName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace fluxcpp::kstatus
