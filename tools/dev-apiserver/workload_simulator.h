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
// Status is computed deterministically from the object (timestamps kept
// from existing conditions), so re-applying it is a no-op write.
// Thread-safe; one worker thread fed by store watchers.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "tools/dev-apiserver/object_service.h"

namespace fluxcpp::devapiserver {

inline constexpr char kSimulateAnnotation[] = "dev-apiserver.fluxcpp.io/simulate";

// The status `obj` (of `resource`) would reach when healthy, or null when
// the simulator leaves this kind/object alone. `now` is RFC 3339.
object::Value SimulatedStatus(const ResourceInfo& resource, const object::Value& obj, const std::string& now);

class WorkloadSimulator {
 public:
  explicit WorkloadSimulator(ObjectService& service) : service_(service) {}
  ~WorkloadSimulator() { Stop(); }

  void Start();
  void Stop();

 private:
  void Loop();
  void Reconcile(const ResourceInfo& resource, const std::string& json);

  ObjectService& service_;
  std::vector<std::pair<ResourcePtr, std::shared_ptr<Watcher>>> watchers_;
  std::thread thread_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace fluxcpp::devapiserver
