#pragma once
// Flux's custom Job status reader (github.com/fluxcd/pkg/runtime/statusreaders,
// used by kustomize-controller's health checks in place of kstatus' Job rule):
//   spec.suspend: true        -> Current   "Job is suspended"
//   Complete=True             -> Current   "Job Completed. succeeded: S/C"
//   Failed=True               -> Failed    "Job Failed. failed: F/C"   (Stalled, JobFailed)
//   no status.startTime       -> InProgress "Job not started. active: 0/P" (Reconciling,
//   JobNotStarted) otherwise                 -> InProgress "Job in progress. success:S, active: A,
//   failed: F"
// Unlike Compute(), no generic checks (deletion, generation, Reconciling /
// Stalled conditions) run first: the reader calls this function directly.

#include "absl/status/statusor.h"
#include "libs/kstatus/status.h"
#include "libs/object/value.h"

namespace fluxcpp::kstatus {

// InvalidArgument when status.conditions has the wrong shape.
absl::StatusOr<Result> ComputeFluxJob(const object::Value& job);

// True for batch/Job objects (any version).
bool IsJob(const object::Value& obj);

}  // namespace fluxcpp::kstatus
