#include "tools/dev-apiserver/workload_simulator.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/apimachinery/semantic_equal.h"
#include "libs/core/digest.h"
#include "libs/core/logger.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

// A condition that keeps its timestamps while its status does not change.
Value Condition(const Value& obj, const std::string& type, const std::string& status, const std::string& reason,
                const std::string& message, const std::string& now, bool update_time) {
  std::string transition = now, update = now;
  if (const Value* conds = object::Find(obj, {"status", "conditions"}); conds != nullptr && conds->is_array()) {
    for (const Value& c : *conds) {
      if (c.value("type", "") == type && c.value("status", "") == status) {
        transition = c.value("lastTransitionTime", now);
        update = c.value("lastUpdateTime", now);
      }
    }
  }
  Value c = {{"type", type}, {"status", status}, {"reason", reason}, {"message", message},
             {"lastTransitionTime", transition}};
  if (update_time) c["lastUpdateTime"] = update;
  return c;
}

int64_t Replicas(const Value& obj) { return object::GetInt(obj, {"spec", "replicas"}, 1); }

// Go's omitempty: zero counters are not reported.
void SetCount(Value& status, const char* field, int64_t n) {
  if (n != 0) status[field] = n;
}

std::string Revision(const Value& obj) {
  const Value* tmpl = object::Find(obj, {"spec", "template"});
  return absl::StrCat(object::GetString(obj, {"metadata", "name"}), "-",
                      Sha256Hex(tmpl != nullptr ? tmpl->dump() : "").substr(0, 10));
}

absl::Duration ParseDelay(const std::string& text, absl::Duration fallback) {
  absl::Duration d;
  if (!text.empty() && absl::ParseDuration(text, &d)) return d;
  return fallback;
}

Value ContainerStatuses(const Value& obj, const Value* containers, const std::string& failure, bool ready,
                        const std::string& now) {
  Value statuses = Value::array();
  if (containers == nullptr || !containers->is_array()) return statuses;
  for (const Value& c : *containers) {
    Value s = {{"name", c.value("name", "")}, {"image", c.value("image", "")}, {"ready", ready},
               {"started", ready}, {"restartCount", failure == "CrashLoopBackOff" ? 5 : 0}};
    if (failure == "ImagePullBackOff") {
      s["state"] = {{"waiting", {{"reason", "ImagePullBackOff"},
                                 {"message", absl::StrCat("Back-off pulling image \"", c.value("image", ""), "\"")}}}};
    } else if (failure == "CrashLoopBackOff") {
      s["state"] = {{"waiting", {{"reason", "CrashLoopBackOff"},
                                 {"message", absl::StrCat("back-off 5m0s restarting failed container=",
                                                          c.value("name", ""))}}}};
      s["lastState"] = {{"terminated", {{"exitCode", 1}, {"reason", "Error"}}}};
    } else if (!ready) {
      s["state"] = {{"waiting", {{"reason", "ContainerCreating"}}}};
    } else {
      s["state"] = {{"running", {{"startedAt", object::GetString(obj, {"metadata", "creationTimestamp"}, now)}}}};
    }
    statuses.push_back(std::move(s));
  }
  return statuses;
}

// The status of a workload whose pods are not (yet) ready.
Value NotReadyStatus(const ResourceInfo& r, const Value& obj, const std::string& now, const std::string& failure) {
  const int64_t generation = object::GetInt(obj, {"metadata", "generation"}, 1);
  const std::string name = object::GetString(obj, {"metadata", "name"});
  Value status = Value::object();
  if (r.group == "apps" && r.plural == "deployments") {
    int64_t n = Replicas(obj);
    status["observedGeneration"] = generation;
    SetCount(status, "replicas", n);
    SetCount(status, "updatedReplicas", n);
    SetCount(status, "unavailableReplicas", n);
    Value progressing =
        failure == "DeadlineExceeded"
            ? Condition(obj, "Progressing", "False", "ProgressDeadlineExceeded",
                        absl::StrCat("ReplicaSet \"", Revision(obj), "\" has timed out progressing."), now, true)
            : Condition(obj, "Progressing", "True", "ReplicaSetUpdated",
                        absl::StrCat("ReplicaSet \"", Revision(obj), "\" is progressing."), now, true);
    status["conditions"] = Value::array(
        {Condition(obj, "Available", "False", "MinimumReplicasUnavailable",
                   "Deployment does not have minimum availability.", now, true),
         progressing});
  } else if (r.group == "apps" && (r.plural == "statefulsets" || r.plural == "replicasets")) {
    status["observedGeneration"] = generation;
    status["replicas"] = Replicas(obj);
    if (r.plural == "statefulsets") {
      status["currentRevision"] = Revision(obj);
      status["updateRevision"] = Revision(obj);
      status["collisionCount"] = 0;
    }
  } else if (r.group == "apps" && r.plural == "daemonsets") {
    status = {{"observedGeneration", generation}, {"currentNumberScheduled", 1}, {"desiredNumberScheduled", 1},
              {"numberMisscheduled", 0}, {"numberReady", 0}, {"numberUnavailable", 1},
              {"updatedNumberScheduled", 1}};
  } else if (r.group == "batch" && r.plural == "jobs") {
    std::string created = object::GetString(obj, {"metadata", "creationTimestamp"}, now);
    status = {{"startTime", created}, {"active", 1}, {"ready", 0}};
    if (!failure.empty()) {
      bool deadline = failure == "DeadlineExceeded";
      std::string reason = deadline ? "DeadlineExceeded" : "BackoffLimitExceeded";
      std::string message =
          deadline ? "Job was active longer than specified deadline" : "Job has reached the specified backoff limit";
      status = {{"startTime", created}, {"failed", 1}, {"ready", 0},
                {"conditions", Value::array({Condition(obj, "FailureTarget", "True", reason, message, now, false),
                                             Condition(obj, "Failed", "True", reason, message, now, false)})}};
    }
  } else if (r.group.empty() && r.plural == "pods") {
    std::string phase = failure == "CrashLoopBackOff" ? "Running" : "Pending";
    status = {{"phase", phase},
              {"hostIP", "10.0.0.1"},
              {"startTime", object::GetString(obj, {"metadata", "creationTimestamp"}, now)},
              {"conditions", Value::array({Condition(obj, "PodScheduled", "True", "", "", now, false),
                                           Condition(obj, "Initialized", "True", "", "", now, false),
                                           Condition(obj, "ContainersReady", "False", "ContainersNotReady", "",
                                                     now, false),
                                           Condition(obj, "Ready", "False", "ContainersNotReady", "", now, false)})},
              {"containerStatuses",
               ContainerStatuses(obj, object::Find(obj, {"spec", "containers"}), failure, false, now)}};
    for (Value& c : status["conditions"]) {
      if (c.value("reason", "").empty()) c.erase("reason");
      c.erase("message");
    }
  } else if (r.group.empty() && r.plural == "persistentvolumeclaims") {
    status = {{"phase", "Pending"}};
  } else {
    return nullptr;
  }
  return status;
}

}  // namespace

std::string SimulatedFailure(const Value& obj) {
  std::string f = object::GetString(obj, {"metadata", "annotations", kFailAnnotation});
  if (f.empty()) f = object::GetString(obj, {"spec", "template", "metadata", "annotations", kFailAnnotation});
  if (f.empty()) {
    f = object::GetString(obj, {"spec", "jobTemplate", "spec", "template", "metadata", "annotations", kFailAnnotation});
  }
  return f;
}

Value SimulatedStatus(const ResourceInfo& r, const Value& obj, const std::string& now, SimPhase phase) {
  if (object::GetString(obj, {"metadata", "annotations", kSimulateAnnotation}) == "false") return nullptr;
  if (object::Find(obj, {"metadata", "deletionTimestamp"}) != nullptr) return nullptr;
  const int64_t generation = object::GetInt(obj, {"metadata", "generation"}, 1);
  const std::string name = object::GetString(obj, {"metadata", "name"});
  std::string failure = SimulatedFailure(obj);
  if (phase == SimPhase::kProgressing) {
    Value st = NotReadyStatus(r, obj, now, "");
    if (!st.is_null()) return st;
  } else if (!failure.empty()) {
    Value st = NotReadyStatus(r, obj, now, failure);
    if (!st.is_null()) return st;
  }
  Value status = Value::object();
  if (r.group == "apps" && r.plural == "deployments") {
    int64_t n = Replicas(obj);
    status["observedGeneration"] = generation;
    SetCount(status, "replicas", n);
    SetCount(status, "updatedReplicas", n);
    SetCount(status, "readyReplicas", n);
    SetCount(status, "availableReplicas", n);
    status["conditions"] = Value::array(
        {Condition(obj, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now,
                   true),
         Condition(obj, "Progressing", "True", "NewReplicaSetAvailable",
                   absl::StrCat("ReplicaSet \"", Revision(obj), "\" has successfully progressed."), now, true)});
  } else if (r.group == "apps" && r.plural == "statefulsets") {
    int64_t n = Replicas(obj);
    status["observedGeneration"] = generation;
    status["replicas"] = n;
    SetCount(status, "readyReplicas", n);
    SetCount(status, "currentReplicas", n);
    SetCount(status, "updatedReplicas", n);
    SetCount(status, "availableReplicas", n);
    status["currentRevision"] = Revision(obj);
    status["updateRevision"] = Revision(obj);
    status["collisionCount"] = 0;
  } else if (r.group == "apps" && r.plural == "daemonsets") {
    status = {{"observedGeneration", generation}, {"currentNumberScheduled", 1}, {"desiredNumberScheduled", 1},
              {"numberAvailable", 1}, {"numberMisscheduled", 0}, {"numberReady", 1}, {"updatedNumberScheduled", 1}};
  } else if (r.group == "apps" && r.plural == "replicasets") {
    int64_t n = Replicas(obj);
    status["observedGeneration"] = generation;
    status["replicas"] = n;
    SetCount(status, "fullyLabeledReplicas", n);
    SetCount(status, "readyReplicas", n);
    SetCount(status, "availableReplicas", n);
  } else if (r.group == "batch" && r.plural == "jobs") {
    std::string created = object::GetString(obj, {"metadata", "creationTimestamp"}, now);
    status = {{"startTime", created},
              {"completionTime", created},
              {"succeeded", object::GetInt(obj, {"spec", "completions"}, 1)},
              {"ready", 0},
              {"conditions", Value::array({Condition(obj, "SuccessCriteriaMet", "True", "CompletionsReached",
                                                     "Reached expected number of succeeded pods", now, false),
                                           Condition(obj, "Complete", "True", "CompletionsReached",
                                                     "Reached expected number of succeeded pods", now, false)})}};
  } else if (r.group.empty() && r.plural == "pods") {
    Value statuses = Value::array();
    if (const Value* cs = object::Find(obj, {"spec", "containers"}); cs != nullptr && cs->is_array()) {
      for (const Value& c : *cs) {
        statuses.push_back({{"name", c.value("name", "")},
                            {"image", c.value("image", "")},
                            {"ready", true},
                            {"started", true},
                            {"restartCount", 0},
                            {"state", {{"running", {{"startedAt", object::GetString(obj, {"metadata", "creationTimestamp"}, now)}}}}}});
      }
    }
    status = {{"phase", "Running"},
              {"podIP", "10.244.0.10"},
              {"hostIP", "10.0.0.1"},
              {"startTime", object::GetString(obj, {"metadata", "creationTimestamp"}, now)},
              {"conditions", Value::array({Condition(obj, "PodScheduled", "True", "", "", now, false),
                                           Condition(obj, "Initialized", "True", "", "", now, false),
                                           Condition(obj, "ContainersReady", "True", "", "", now, false),
                                           Condition(obj, "Ready", "True", "", "", now, false)})},
              {"containerStatuses", statuses}};
    for (Value& c : status["conditions"]) {
      c.erase("reason");
      c.erase("message");
    }
  } else if (r.group.empty() && r.plural == "persistentvolumeclaims") {
    status = {{"phase", "Bound"}};
    if (const Value* modes = object::Find(obj, {"spec", "accessModes"}); modes != nullptr) status["accessModes"] = *modes;
    if (const Value* storage = object::Find(obj, {"spec", "resources", "requests", "storage"}); storage != nullptr) {
      status["capacity"] = {{"storage", *storage}};
    }
  } else if (r.group.empty() && r.plural == "services") {
    if (object::GetString(obj, {"spec", "type"}) != "LoadBalancer") return nullptr;
    status = {{"loadBalancer", {{"ingress", Value::array({{{"ip", "127.0.0.1"}}})}}}};
  } else {
    return nullptr;
  }
  return status;
}

void WorkloadSimulator::Start() {
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"apps", "deployments"}, {"apps", "statefulsets"}, {"apps", "daemonsets"}, {"apps", "replicasets"},
      {"batch", "jobs"},       {"", "pods"},             {"", "persistentvolumeclaims"}, {"", "services"}};
  for (const auto& [group, plural] : kinds) {
    ResourcePtr r = service_.registry().FindAnyVersion(group, plural);
    if (r == nullptr) continue;
    auto w = service_.store().Watch({r->GroupResource(), "", {}, {}}, Store::WatchFrom::kSnapshot);
    if (w.ok()) watchers_.push_back({r, *w});
  }
  thread_ = std::thread([this] { Loop(); });
}

void WorkloadSimulator::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  for (auto& [r, w] : watchers_) service_.store().Unwatch(w);
}

void WorkloadSimulator::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
    }
    bool idle = true;
    for (auto& [r, w] : watchers_) {
      if (w->closed()) {
        // Fell too far behind: start over from the current objects.
        service_.store().Unwatch(w);
        auto fresh = service_.store().Watch({r->GroupResource(), "", {}, {}}, Store::WatchFrom::kSnapshot);
        if (fresh.ok()) w = *fresh;
        continue;
      }
      for (const auto& d : w->Next(absl::ZeroDuration())) {
        idle = false;
        if (std::string(d.type) == "DELETED") continue;
        try {
          Reconcile(r, *d.json);
        } catch (const std::exception& e) {
          Logger().Error("workload simulation failed", {{"error", e.what()}});
        }
      }
    }
    // Settle workloads whose delay has passed.
    absl::Time now = absl::Now();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.due > now) {
        ++it;
        continue;
      }
      ResourcePtr r = it->second.resource;
      std::string key = it->first;
      it = pending_.erase(it);
      size_t slash1 = key.find('/'), slash2 = key.find('/', slash1 + 1), at = key.rfind('@');
      std::string ns = key.substr(slash1 + 1, slash2 - slash1 - 1);
      std::string name = key.substr(slash2 + 1, at - slash2 - 1);
      auto current = service_.store().Get(r->GroupResource(), ns, name);
      if (current.has_value()) Reconcile(r, *current->json);
    }
    if (idle) absl::SleepFor(absl::Milliseconds(50));
  }
}

void WorkloadSimulator::Reconcile(const ResourcePtr& resource, const std::string& json) {
  const ResourceInfo& r = *resource;
  auto obj = object::ParseJson(json);
  if (!obj.ok()) return;
  std::string now = NowRfc3339();
  SimPhase phase = SimPhase::kSettled;
  absl::Duration delay =
      ParseDelay(object::GetString(*obj, {"metadata", "annotations", kReadyAfterAnnotation}), delay_);
  if (delay > absl::ZeroDuration()) {
    std::string key = absl::StrCat(r.GroupResource(), "/", object::GetString(*obj, {"metadata", "namespace"}), "/",
                                   object::GetString(*obj, {"metadata", "name"}), "@",
                                   object::GetInt(*obj, {"metadata", "generation"}, 0));
    auto [it, inserted] = settled_at_.try_emplace(key, absl::Now() + delay);
    if (absl::Now() < it->second) {
      phase = SimPhase::kProgressing;
      if (inserted) pending_[key] = Pending{resource, it->second};
    }
  }
  Value wanted = SimulatedStatus(r, *obj, now, phase);
  if (wanted.is_null()) return;
  const Value* have = object::Find(*obj, {"status"});
  if (have != nullptr && apimachinery::SemanticallyEqual(*have, wanted)) return;
  std::string ns = object::GetString(*obj, {"metadata", "namespace"});
  std::string name = object::GetString(*obj, {"metadata", "name"});
  absl::Status st = service_.Modify(
      r, ns, name, "dev-apiserver-simulator",
      [&](Value& o) {
        Value fresh = SimulatedStatus(r, o, now, phase);
        if (fresh.is_null()) return false;
        o["status"] = std::move(fresh);
        return true;
      },
      "status");
  if (!st.ok() && st.code() != absl::StatusCode::kNotFound) {
    Logger().Error("workload simulation failed", {{"object", ns + "/" + name}, {"error", std::string(st.message())}});
  }
}

}  // namespace fluxcpp::devapiserver
