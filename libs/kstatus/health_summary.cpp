#include "libs/kstatus/health_summary.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/kstatus/aggregate.h"

namespace fluxcpp::kstatus {

HealthSummary Summarize(const std::vector<std::pair<std::string, Result>>& statuses,
                        const std::set<std::string>& jobs_with_ttl) {
  HealthSummary out;
  std::vector<Status> raw;
  raw.reserve(statuses.size());
  for (const auto& [subject, result] : statuses) {
    raw.push_back(result.status);
    Status effective = result.status;
    bool ttl_job_gone = result.status == Status::kNotFound && jobs_with_ttl.count(subject) > 0;
    if (ttl_job_gone) effective = Status::kCurrent;
    if (effective != Status::kCurrent && effective != Status::kFailed) out.terminal = false;
    if (effective == Status::kCurrent) continue;

    std::string line = absl::StrCat(subject, " status: '", StatusName(result.status), "'");
    if (!result.error.empty()) absl::StrAppend(&line, ": ", result.error);
    if (result.status == Status::kFailed) {
      out.any_failed = true;
      out.failed.push_back(line);
    }
    out.pending.push_back(std::move(line));
  }
  // Upstream aggregates the raw statuses (a vanished TTL Job is NotFound there).
  out.aggregate = AggregateStatus(raw, Status::kCurrent);
  out.all_current = out.aggregate == Status::kCurrent;
  return out;
}

bool ShouldStopWaiting(const HealthSummary& summary, bool fail_fast) {
  return summary.all_current || (fail_fast && summary.any_failed) || summary.terminal;
}

absl::Status WaitOutcome(const HealthSummary& summary, bool timed_out) {
  if (timed_out) {
    if (summary.pending.empty()) return absl::OkStatus();
    return absl::DeadlineExceededError(
        absl::StrCat("timeout waiting for: [", absl::StrJoin(summary.pending, ", "), "]"));
  }
  if (summary.failed.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("failed early due to stalled resources: [",
                                                    absl::StrJoin(summary.failed, ", "), "]"));
}

}  // namespace fluxcpp::kstatus
