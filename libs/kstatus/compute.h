#pragma once
// status.Compute of kstatus (Flux's fork, github.com/fluxcd/cli-utils): the
// readiness of any Kubernetes object from its own manifest, status included.
//
// Order of the rules:
//   1. metadata.deletionTimestamp set                      -> Terminating
//   2. metadata.generation != status.observedGeneration    -> InProgress
//   3. condition Reconciling=True -> InProgress; Stalled=True -> Failed
//   4. built-in rules by group/kind: Deployment, StatefulSet, DaemonSet,
//      ReplicaSet (apps, extensions), Pod, PersistentVolumeClaim, Service,
//      policy/PodDisruptionBudget, batch/Job, CustomResourceDefinition;
//      Secret, ConfigMap, batch/CronJob are always Current
//   5. a Ready condition: True -> Current, False/Unknown -> InProgress
//   6. otherwise Current ("Resource is current")
//
// Errors (InvalidArgument) mirror upstream's: fields of the wrong type,
// conditions of the wrong shape, an unknown Pod phase. The polling layer turns
// them into Status::kUnknown (see status_reader.h).

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kstatus/status.h"
#include "libs/object/value.h"

namespace fluxcpp::kstatus {

// How long a Pod may stay unschedulable before it is reported Failed.
inline constexpr absl::Duration kScheduleWindow = absl::Seconds(15);

// Compute with the clock at `now` (only the Pod scheduling window reads it).
absl::StatusOr<Result> Compute(const object::Value& obj, absl::Time now);

// Compute with the clock at absl::Now().
absl::StatusOr<Result> Compute(const object::Value& obj);

// status.Augment: runs Compute and merges the resulting standard conditions
// into obj's status.conditions (updating an existing entry of the same type,
// appending otherwise), stamping lastTransitionTime / lastUpdateTime with `now`
// (RFC 3339, UTC).
absl::Status Augment(object::Value& obj, absl::Time now);

}  // namespace fluxcpp::kstatus
