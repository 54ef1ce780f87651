#pragma once
// Health assessment that never holds a worker (spec §10.12, Flux issue
// #5622). Flux polls every 5s inside the reconcile until all objects are
// Current or the timeout expires, so one stuck rollout blocks a worker for
// up to spec.timeout. Here a reconcile reads the statuses once; when
// something is still in progress it records a HealthWait and returns a short
// requeue. The next reconcile of that key (requeue or any watch event) only
// re-reads the statuses, unless the source revision or the spec changed,
// which cancels the wait and starts a full reconcile.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/kstatus/health_summary.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"
#include "libs/ssa/object_ref.h"
#include "services/kustomize-controller/cel_expressions.h"

namespace fluxcpp::kustomize_controller {

// Objects whose health gates readiness: every applied (non-skipped) object
// when spec.wait, else spec.healthChecks (empty apiVersion = apps/v1), never
// the Kustomization itself. Empty when health checking is off.
std::vector<ssa::ObjectRef> HealthCheckTargets(const object::Value& kustomization,
                                               const std::vector<ssa::ObjectRef>& applied);

// Reads each target once (uncached GETs) and summarises with kstatus.
// `jobs_with_ttl`: subjects of Jobs with ttlSecondsAfterFinished, whose
// disappearance counts as success. Objects matched by `exprs`
// (spec.healthCheckExprs; may be null) are judged by those CEL rules instead
// of kstatus; an evaluation error leaves the object Unknown with the error.
kstatus::HealthSummary ReadHealth(kube::Client& client, const std::vector<ssa::ObjectRef>& targets,
                                  const std::set<std::string>& jobs_with_ttl,
                                  const HealthExpressions* exprs = nullptr);

// A Kustomization whose apply finished and whose health is pending.
struct HealthWait {
  std::string revision;
  std::string origin_revision;
  int64_t generation = 0;
  std::string build_digest;
  std::chrono::steady_clock::time_point started;   // reconcile start
  std::chrono::steady_clock::time_point checks_started;
  std::chrono::steady_clock::time_point deadline;  // checks_started + effective timeout
  std::vector<ssa::ObjectRef> targets;
  std::set<std::string> jobs_with_ttl;
  bool changed = false;  // the apply changed something (a success event is due)
};

// Pending waits by "namespace/name". Thread-safe.
class HealthWaits {
 public:
  std::optional<HealthWait> Get(const std::string& key) const;
  void Put(const std::string& key, HealthWait wait);
  void Erase(const std::string& key);
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, HealthWait> waits_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fluxcpp::kustomize_controller
