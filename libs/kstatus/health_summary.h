#pragma once
// The verdict of one round of Flux's health-check wait (fluxcd/pkg/ssa
// WaitForSetWithContext) over the statuses read for a set of objects, and the
// exact messages kustomize-controller puts in its HealthCheckFailed condition:
//   timeout waiting for: [Deployment/default/podinfo status: 'InProgress']
//   failed early due to stalled resources: [Job/apps/migrate status: 'Failed']

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "libs/kstatus/status.h"

namespace fluxcpp::kstatus {

struct HealthSummary {
  // Every object is Current (aggregate status is Current; true for an empty set).
  bool all_current = true;
  // At least one object is Failed.
  bool any_failed = false;
  // Only Current and Failed remain: waiting longer cannot change the outcome.
  bool terminal = true;
  // kstatus aggregate of all statuses (desired: Current).
  Status aggregate = Status::kCurrent;
  // Objects not Current, in input order: "<subject> status: '<Status>'" plus
  // ": <error>" when reading the status failed.
  std::vector<std::string> pending;
  // The subset of `pending` that is Failed.
  std::vector<std::string> failed;
};

// Summarizes (subject "Kind/ns/name", status) pairs. Subjects listed in
// `jobs_with_ttl` (Jobs with spec.ttlSecondsAfterFinished) that are NotFound
// count as completed: they are neither pending nor block `terminal`.
HealthSummary Summarize(const std::vector<std::pair<std::string, Result>>& statuses,
                        const std::set<std::string>& jobs_with_ttl = {});

// Whether the wait stops after this round: all Current, or (fail_fast and any
// Failed), or terminal.
bool ShouldStopWaiting(const HealthSummary& summary, bool fail_fast);

// The wait's outcome once it stopped: OK; DeadlineExceeded "timeout waiting
// for: [...]" when `timed_out` and anything is not Current; otherwise
// FailedPrecondition "failed early due to stalled resources: [...]" when
// anything is Failed.
absl::Status WaitOutcome(const HealthSummary& summary, bool timed_out);

}  // namespace fluxcpp::kstatus
