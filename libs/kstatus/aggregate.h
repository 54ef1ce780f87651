#pragma once
// aggregator.AggregateStatus of kstatus' polling layer.

#include <vector>

#include "libs/kstatus/status.h"

namespace fluxcpp::kstatus {

// The status of a set: `desired` when empty or when every member is `desired`;
// Failed if any member failed; else Unknown if any is Unknown; else InProgress.
Status AggregateStatus(const std::vector<Status>& statuses, Status desired);

}  // namespace fluxcpp::kstatus
