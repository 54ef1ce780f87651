#pragma once
// What Flux's status poller reports for an object it has fetched, i.e. the
// reader chain kustomize-controller builds (fluxcd/pkg/ssa + cli-utils polling):
//   batch/Job            -> ComputeFluxJob (Flux's custom Job reader)
//   everything else      -> Compute
//   computing failed     -> Status::kUnknown, Result::error set, empty message
//   object not found     -> NotFoundResult()
// CEL readers built from spec.healthCheckExprs take precedence over both; they
// live in libs/cel and are dispatched by the caller before ReadStatus.
//
// The ReplicaSet and StatefulSet readers also list the Pods they own: an
// InProgress owner with terminally failed Pods is reported Failed. That needs
// cluster reads, so it is offered as EscalateFailedPods for callers that have
// the Pods at hand.

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "libs/kstatus/status.h"
#include "libs/object/value.h"

namespace fluxcpp::kstatus {

// The poller's status for a fetched object (never fails).
Result ReadStatus(const object::Value& obj, absl::Time now);
Result ReadStatus(const object::Value& obj);

// {kNotFound, "Resource not found"}: what the poller reports after a 404.
Result NotFoundResult();

// Pod-controller escalation (ReplicaSet / StatefulSet readers): when `owner` is
// InProgress and any of `pods` is Failed, not being deleted and not merely
// unschedulable, the owner becomes Failed with "<n> pods have failed".
Result EscalateFailedPods(Result owner, const std::vector<std::pair<object::Value, Result>>& pods);

// "<Kind>/<namespace>/<name>", namespace omitted when empty (ssa.FmtObjMetadata).
std::string FormatSubject(const object::Value& obj);

}  // namespace fluxcpp::kstatus
