#pragma once
// Plays kubelet and the workload controllers for the objects in this
// server, which runs no pods: whenever a workload is created or changed it
// writes the status a healthy, finished rollout reports, so readiness
// checks (kstatus, `kubectl rollout status`, Flux health checks) pass:
//   Deployment   observedGeneration, replicas/updated/ready/available =
//                spec.replicas, Available + Progressing(NewReplicaSetAvailable)
//   StatefulSet  replicas/ready/current/updated/available, revisions equal
//   DaemonSet    one scheduled, ready, available pod
//   ReplicaSet   replicas/fullyLabeled/ready/available
//   Job          succeeded = completions, Complete condition
//   Pod          Running, Ready, every container ready
//   PVC          Bound with the requested capacity
//   Service      type LoadBalancer gets ingress IP 127.0.0.1
// An object annotated `dev-apiserver.fluxcpp.io/simulate: "false"` is left
// alone (for tests of workloads that never become ready).
//
// Failures and timing, for testing health checks: the annotation
// `dev-apiserver.fluxcpp.io/fail` on the object or its Pod template makes
// the workload fail the way kube reports it:
//   ImagePullBackOff   pods waiting (ErrImagePull/ImagePullBackOff), never ready
//   CrashLoopBackOff   pods restarting, never ready
//   DeadlineExceeded   Deployment Progressing=False ProgressDeadlineExceeded;
//                      Job Failed=True DeadlineExceeded
// (Jobs with the first two fail with BackoffLimitExceeded.) Before
// settling, a workload reports an in-progress rollout for the simulator's
// delay (--simulate-delay) or `dev-apiserver.fluxcpp.io/ready-after: 5s` on
// the object, counted from when the simulator first saw its generation.
//
// Status is computed deterministically from the object (timestamps kept
// from existing conditions), so re-applying it is a no-op write.
// Thread-safe; one worker thread fed by store watchers.

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "tools/dev-apiserver/object_service.h"

namespace fluxcpp::devapiserver {

inline constexpr char kSimulateAnnotation[] = "dev-apiserver.fluxcpp.io/simulate";
inline constexpr char kFailAnnotation[] = "dev-apiserver.fluxcpp.io/fail";
inline constexpr char kReadyAfterAnnotation[] = "dev-apiserver.fluxcpp.io/ready-after";

enum class SimPhase { kProgressing, kSettled };

// The status `obj` (of `resource`) reports in `phase` (settled: healthy, or
// failed per the fail annotation), or null when the simulator leaves this
// kind/object alone. `now` is RFC 3339.
object::Value SimulatedStatus(const ResourceInfo& resource, const object::Value& obj, const std::string& now,
                              SimPhase phase = SimPhase::kSettled);
// The failure the object asks for ("" for none).
std::string SimulatedFailure(const object::Value& obj);

class WorkloadSimulator {
 public:
  explicit WorkloadSimulator(ObjectService& service) : service_(service) {}
  ~WorkloadSimulator() { Stop(); }

  // How long workloads stay in progress before settling (default 0).
  void set_delay(absl::Duration delay) { delay_ = delay; }
  void Start();
  void Stop();

 private:
  void Loop();
  void Reconcile(const ResourcePtr& resource, const std::string& json);

  struct Pending {
    ResourcePtr resource;
    absl::Time due;
  };

  ObjectService& service_;
  std::vector<std::pair<ResourcePtr, std::shared_ptr<Watcher>>> watchers_;
  std::thread thread_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration delay_ = absl::ZeroDuration();
  // Loop thread only: when each "resource/ns/name@generation" settles.
  std::map<std::string, Pending> pending_;
  std::map<std::string, absl::Time> settled_at_;
};

}  // namespace fluxcpp::devapiserver
