#include "libs/kstatus/builtin_rules.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/kstatus/compute.h"
#include "libs/kstatus/field_util.h"

namespace fluxcpp::kstatus::internal {

Result NewInProgress(std::string reason, std::string message) {
  Result r;
  r.status = Status::kInProgress;
  r.message = message;
  r.conditions.push_back(
      {std::string(kConditionReconciling), "True", std::move(reason), std::move(message)});
  return r;
}

Result NewFailed(std::string reason, std::string message) {
  Result r;
  r.status = Status::kFailed;
  r.message = message;
  r.conditions.push_back(
      {std::string(kConditionStalled), "True", std::move(reason), std::move(message)});
  return r;
}

Result NewCurrent(std::string message) {
  Result r;
  r.status = Status::kCurrent;
  r.message = std::move(message);
  return r;
}

namespace {

constexpr char kTooFewReady[] = "LessReady";
constexpr char kTooFewAvailable[] = "LessAvailable";
constexpr char kTooFewUpdated[] = "LessUpdated";
constexpr char kTooFewReplicas[] = "LessReplicas";
constexpr char kExtraPods[] = "ExtraPods";
constexpr int64_t kMaxInt32 = 2147483647;

using Rule = std::function<absl::StatusOr<Result>(const object::Value&, absl::Time)>;

absl::StatusOr<Result> AlwaysReady(const object::Value&, absl::Time) {
  return NewCurrent("Resource is always ready");
}

// StatefulSet sets no conditions: status comes from the replica counters.
absl::StatusOr<Result> StatefulSetRule(const object::Value& obj, absl::Time) {
  if (GetStringField(obj, ".spec.updateStrategy.type", "") == "OnDelete") {
    return NewCurrent("StatefulSet is using the ondelete update strategy");
  }
  int64_t spec_replicas = GetIntField(obj, ".spec.replicas", 1);
  int64_t ready = GetIntField(obj, ".status.readyReplicas", 0);
  int64_t current = GetIntField(obj, ".status.currentReplicas", 0);
  int64_t updated = GetIntField(obj, ".status.updatedReplicas", 0);
  int64_t status_replicas = GetIntField(obj, ".status.replicas", 0);
  int64_t partition = GetIntField(obj, ".spec.updateStrategy.rollingUpdate.partition", -1);

  if (spec_replicas > status_replicas) {
    return NewInProgress(kTooFewReplicas,
                         absl::StrCat("Replicas: ", status_replicas, "/", spec_replicas));
  }
  if (spec_replicas > ready) {
    return NewInProgress(kTooFewReady, absl::StrCat("Ready: ", ready, "/", spec_replicas));
  }
  if (status_replicas > spec_replicas) {
    return NewInProgress(kExtraPods,
                         absl::StrCat("Pending termination: ", status_replicas - spec_replicas));
  }
  if (partition != -1) {
    if (updated < spec_replicas - partition) {
      return NewInProgress("PartitionRollout",
                           absl::StrCat("updated: ", updated, "/", spec_replicas - partition));
    }
    return NewCurrent(absl::StrCat("Partition rollout complete. updated: ", updated));
  }
  if (spec_replicas > current) {
    return NewInProgress("LessCurrent", absl::StrCat("current: ", current, "/", spec_replicas));
  }
  if (GetStringField(obj, ".status.currentRevision", "") !=
      GetStringField(obj, ".status.updateRevision", "")) {
    return NewInProgress("RevisionMismatch", "Waiting for updated revision to match current");
  }
  return NewCurrent(
      absl::StrCat("All replicas scheduled as expected. Replicas: ", status_replicas));
}

absl::StatusOr<Result> DeploymentRule(const object::Value& obj, absl::Time) {
  // Without progressDeadlineSeconds the controller never sets Progressing, so the
  // deployment counts as progressing (MaxInt32 is the controller's "unset").
  bool progressing = GetIntField(obj, ".spec.progressDeadlineSeconds", kMaxInt32) == kMaxInt32;
  bool available = false;

  auto conditions = ReadConditions(obj);
  if (!conditions.ok()) return conditions.status();
  for (const Condition& c : *conditions) {
    if (c.type == "Progressing") {
      if (c.reason == "ProgressDeadlineExceeded") {
        Result r;
        r.status = Status::kFailed;
        r.message = "Progress deadline exceeded";
        r.conditions.push_back({std::string(kConditionStalled), "True", c.reason, c.message});
        return r;
      }
      if (c.status == "True" && c.reason == "NewReplicaSetAvailable") progressing = true;
    } else if (c.type == "Available") {
      if (c.status == "True") available = true;
    }
  }

  int64_t spec_replicas = GetIntField(obj, ".spec.replicas", 1);
  int64_t status_replicas = GetIntField(obj, ".status.replicas", 0);
  int64_t updated = GetIntField(obj, ".status.updatedReplicas", 0);
  int64_t ready = GetIntField(obj, ".status.readyReplicas", 0);
  int64_t available_replicas = GetIntField(obj, ".status.availableReplicas", 0);

  if (spec_replicas > status_replicas) {
    return NewInProgress(kTooFewReplicas,
                         absl::StrCat("Replicas: ", status_replicas, "/", spec_replicas));
  }
  if (spec_replicas > updated) {
    return NewInProgress(kTooFewUpdated, absl::StrCat("Updated: ", updated, "/", spec_replicas));
  }
  if (status_replicas > spec_replicas) {
    return NewInProgress(kExtraPods,
                         absl::StrCat("Pending termination: ", status_replicas - spec_replicas));
  }
  if (updated > available_replicas) {
    return NewInProgress(kTooFewAvailable,
                         absl::StrCat("Available: ", available_replicas, "/", updated));
  }
  if (spec_replicas > ready) {
    return NewInProgress(kTooFewReady, absl::StrCat("Ready: ", ready, "/", spec_replicas));
  }
  if (!progressing) return NewInProgress("ReplicaSetNotAvailable", "ReplicaSet not Available");
  if (!available) return NewInProgress("DeploymentNotAvailable", "Deployment not Available");
  return NewCurrent(absl::StrCat("Deployment is available. Replicas: ", status_replicas));
}

absl::StatusOr<Result> ReplicaSetRule(const object::Value& obj, absl::Time) {
  auto conditions = ReadConditions(obj);
  if (!conditions.ok()) return conditions.status();
  for (const Condition& c : *conditions) {
    if (c.type == "ReplicaFailure" && c.status == "True") {
      return NewInProgress("ReplicaFailure", "Replica Failure condition. Check Pods");
    }
  }
  int64_t spec_replicas = GetIntField(obj, ".spec.replicas", 1);
  int64_t status_replicas = GetIntField(obj, ".status.replicas", 0);
  int64_t ready = GetIntField(obj, ".status.readyReplicas", 0);
  int64_t available = GetIntField(obj, ".status.availableReplicas", 0);
  int64_t labelled = GetIntField(obj, ".status.fullyLabeledReplicas", 0);

  if (spec_replicas > labelled) {
    return NewInProgress("LessLabelled", absl::StrCat("Labelled: ", labelled, "/", spec_replicas));
  }
  if (spec_replicas > available) {
    return NewInProgress(kTooFewAvailable,
                         absl::StrCat("Available: ", available, "/", spec_replicas));
  }
  if (spec_replicas > ready) {
    return NewInProgress(kTooFewReady, absl::StrCat("Ready: ", ready, "/", spec_replicas));
  }
  if (status_replicas > spec_replicas) {
    return NewInProgress(kExtraPods,
                         absl::StrCat("Pending termination: ", status_replicas - spec_replicas));
  }
  return NewCurrent(absl::StrCat("ReplicaSet is available. Replicas: ", status_replicas));
}

// DaemonSets must carry metadata.generation and status.observedGeneration: the
// generic check skips them when unset, this rule does not.
std::optional<absl::StatusOr<Result>> CheckGenerationSet(const object::Value& obj) {
  std::string kind = object::GetString(obj, {"kind"});
  auto generation = NestedInt64(obj, {"metadata", "generation"});
  if (!generation.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("looking up metadata.generation from resource: ",
                                                   std::string(generation.status().message())));
  }
  if (!generation->found) {
    std::string message = absl::StrCat(kind, " metadata.generation not found");
    Result r;
    r.status = Status::kInProgress;
    r.message = message;
    r.conditions.push_back({std::string(kConditionReconciling), "True", "NoGeneration", message});
    return r;
  }
  auto observed = NestedInt64(obj, {"status", "observedGeneration"});
  if (!observed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("looking up status.observedGeneration from resource: ",
                     std::string(observed.status().message())));
  }
  if (!observed->found) {
    std::string message = absl::StrCat(kind, " status.observedGeneration not found");
    Result r;
    r.status = Status::kInProgress;
    r.message = message;
    r.conditions.push_back(
        {std::string(kConditionReconciling), "True", "NoObservedGeneration", message});
    return r;
  }
  return std::nullopt;
}

absl::StatusOr<Result> DaemonSetRule(const object::Value& obj, absl::Time) {
  if (auto res = CheckGenerationSet(obj)) return *std::move(res);

  int64_t desired = GetIntField(obj, ".status.desiredNumberScheduled", -1);
  int64_t current = GetIntField(obj, ".status.currentNumberScheduled", 0);
  int64_t updated = GetIntField(obj, ".status.updatedNumberScheduled", 0);
  int64_t available = GetIntField(obj, ".status.numberAvailable", 0);
  int64_t ready = GetIntField(obj, ".status.numberReady", 0);

  if (desired == -1)
    return NewInProgress("NoDesiredNumber", "Missing .status.desiredNumberScheduled");
  if (desired > current) {
    return NewInProgress("LessCurrent", absl::StrCat("Current: ", current, "/", desired));
  }
  if (desired > updated) {
    return NewInProgress(kTooFewUpdated, absl::StrCat("Updated: ", updated, "/", desired));
  }
  if (desired > available) {
    return NewInProgress(kTooFewAvailable, absl::StrCat("Available: ", available, "/", desired));
  }
  if (desired > ready) {
    return NewInProgress(kTooFewReady, absl::StrCat("Ready: ", ready, "/", desired));
  }
  return NewCurrent(absl::StrCat("All replicas scheduled as expected. Replicas: ", desired));
}

absl::StatusOr<Result> PvcRule(const object::Value& obj, absl::Time) {
  std::string phase = GetStringField(obj, ".status.phase", "unknown");
  if (phase != "Bound")
    return NewInProgress("NotBound", absl::StrCat("PVC is not Bound. phase: ", phase));
  return NewCurrent("PVC is Bound");
}

// Names of containers waiting in CrashLoopBackOff, in status order.
absl::StatusOr<std::vector<std::string>> CrashLoopingContainers(const object::Value& obj) {
  std::vector<std::string> names;
  const object::Value* statuses = object::Find(obj, {"status", "containerStatuses"});
  if (statuses == nullptr || statuses->is_null()) return names;
  if (!statuses->is_array()) {
    return absl::InvalidArgumentError(
        ".status.containerStatuses accessor error: expected []interface{}");
  }
  for (const object::Value& cs : *statuses) {
    if (!cs.is_object()) continue;
    auto name = cs.find("name");
    if (name == cs.end() || !name->is_string()) continue;
    auto state = cs.find("state");
    if (state == cs.end() || !state->is_object()) continue;
    auto waiting = state->find("waiting");
    if (waiting == state->end() || !waiting->is_object()) continue;
    auto reason = waiting->find("reason");
    if (reason == waiting->end() || !reason->is_string()) continue;
    if (reason->get<std::string>() == "CrashLoopBackOff") names.push_back(name->get<std::string>());
  }
  return names;
}

// metadata.creationTimestamp as metav1.Time reads it (unparsable -> zero time).
absl::Time CreationTimestamp(const object::Value& obj) {
  std::string text = object::GetString(obj, {"metadata", "creationTimestamp"});
  absl::Time t;
  std::string err;
  if (text.empty() || !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    // Go's zero time.Time: January 1, year 1, 00:00:00 UTC.
    return absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  }
  return t;
}

absl::StatusOr<Result> PodRule(const object::Value& obj, absl::Time now) {
  auto conditions = ReadConditions(obj);
  if (!conditions.ok()) return conditions.status();
  std::string phase = GetStringField(obj, ".status.phase", "");

  if (phase == "Succeeded") return NewCurrent("Pod has completed successfully");
  if (phase == "Failed") return NewCurrent("Pod has completed, but not successfully");
  if (phase == "Running") {
    if (FindCondition(*conditions, "Ready", "True") != nullptr) return NewCurrent("Pod is Ready");
    auto crashing = CrashLoopingContainers(obj);
    if (!crashing.ok()) return crashing.status();
    if (!crashing->empty()) {
      return NewFailed("ContainerCrashLooping", absl::StrCat("Containers in CrashLoop state: ",
                                                             absl::StrJoin(*crashing, ",")));
    }
    return NewInProgress("PodRunningNotReady", "Pod is running but is not Ready");
  }
  if (phase == "Pending") {
    const Condition* c = FindCondition(*conditions, "PodScheduled", "False");
    if (c != nullptr && c->reason == "Unschedulable") {
      if (now - kScheduleWindow < CreationTimestamp(obj)) {
        return NewInProgress("PodNotScheduled", "Pod has not been scheduled");
      }
      return NewFailed("PodUnschedulable", "Pod could not be scheduled");
    }
    return NewInProgress("PodPending", "Pod is in the Pending phase");
  }
  if (phase.empty()) return NewInProgress("PodNotObserved", "Pod phase not available");
  return absl::InvalidArgumentError(absl::StrCat("unknown phase ", phase));
}

absl::StatusOr<Result> PdbRule(const object::Value&, absl::Time) {
  return NewCurrent("AllowedDisruptions has been computed.");
}

// kstatus' own Job rule: Current once started (Flux's health checks use
// ComputeFluxJob instead, see flux_job.h).
absl::StatusOr<Result> JobRule(const object::Value& obj, absl::Time) {
  int64_t parallelism = GetIntField(obj, ".spec.parallelism", 1);
  int64_t completions = GetIntField(obj, ".spec.completions", parallelism);
  int64_t succeeded = GetIntField(obj, ".status.succeeded", 0);
  int64_t active = GetIntField(obj, ".status.active", 0);
  int64_t failed = GetIntField(obj, ".status.failed", 0);
  std::string start_time = GetStringField(obj, ".status.startTime", "");

  auto conditions = ReadConditions(obj);
  if (!conditions.ok()) return conditions.status();
  for (const Condition& c : *conditions) {
    if (c.type == "Complete" && c.status == "True") {
      return NewCurrent(absl::StrCat("Job Completed. succeeded: ", succeeded, "/", completions));
    }
    if (c.type == "Failed" && c.status == "True") {
      return NewFailed("JobFailed", absl::StrCat("Job Failed. failed: ", failed, "/", completions));
    }
  }
  if (start_time.empty()) return NewInProgress("JobNotStarted", "Job not started");
  return NewCurrent(absl::StrCat("Job in progress. success:", succeeded, ", active: ", active,
                                 ", failed: ", failed));
}

// A LoadBalancer Service is in progress until it has a cluster IP.
absl::StatusOr<Result> ServiceRule(const object::Value& obj, absl::Time) {
  std::string type = GetStringField(obj, ".spec.type", "ClusterIP");
  std::string cluster_ip = GetStringField(obj, ".spec.clusterIP", "");
  if (type == "LoadBalancer" && cluster_ip.empty()) {
    return NewInProgress("NoIPAssigned", "ClusterIP not set. Service type: LoadBalancer");
  }
  return NewCurrent("Service is ready");
}

absl::StatusOr<Result> CrdRule(const object::Value& obj, absl::Time) {
  auto conditions = ReadConditions(obj);
  if (!conditions.ok()) return conditions.status();
  for (const Condition& c : *conditions) {
    if (c.type == "NamesAccepted" && c.status == "False") return NewFailed(c.reason, c.message);
    if (c.type == "Established") {
      if (c.status == "False" && c.reason != "Installing") return NewFailed(c.reason, c.message);
      if (c.status == "True") return NewCurrent("CRD is established");
    }
  }
  return NewInProgress("Installing", "Install in progress");
}

const Rule* RuleFor(std::string_view key) {
  struct Entry {
    std::string_view key;
    Rule rule;
  };
  static const auto* kRules = new std::vector<Entry>{
      {"Service", ServiceRule},
      {"Pod", PodRule},
      {"Secret", AlwaysReady},
      {"PersistentVolumeClaim", PvcRule},
      {"apps/StatefulSet", StatefulSetRule},
      {"apps/DaemonSet", DaemonSetRule},
      {"extensions/DaemonSet", DaemonSetRule},
      {"apps/Deployment", DeploymentRule},
      {"extensions/Deployment", DeploymentRule},
      {"apps/ReplicaSet", ReplicaSetRule},
      {"extensions/ReplicaSet", ReplicaSetRule},
      {"policy/PodDisruptionBudget", PdbRule},
      {"batch/CronJob", AlwaysReady},
      {"ConfigMap", AlwaysReady},
      {"batch/Job", JobRule},
      {"apiextensions.k8s.io/CustomResourceDefinition", CrdRule},
  };
  for (const Entry& e : *kRules) {
    if (e.key == key) return &e.rule;
  }
  return nullptr;
}

}  // namespace

std::optional<absl::StatusOr<Result>> ApplyBuiltinRule(const object::Value& obj, absl::Time now) {
  std::string group = GroupOf(obj);
  std::string kind = object::GetString(obj, {"kind"});
  std::string key = group.empty() ? kind : absl::StrCat(group, "/", kind);
  const Rule* rule = RuleFor(key);
  if (rule == nullptr) return std::nullopt;
  return (*rule)(obj, now);
}

}  // namespace fluxcpp::kstatus::internal
