#pragma once
// Leader election over a coordination.k8s.io/v1 Lease, with client-go's
// leaderelection semantics (what controller-runtime, hence Flux, uses):
//
//  * Acquire: every retry_period (+ up to 20% jitter) the candidate reads the
//    Lease. It takes it when the Lease is missing (Create), has no holder,
//    or has not changed for leaseDurationSeconds as observed on the local
//    clock (no trust in the other replica's clock). A takeover bumps
//    leaseTransitions and sets acquireTime.
//  * Renew: the leader rewrites renewTime every retry_period. Each write is
//    an Update carrying the resourceVersion read (optimistic concurrency), so
//    two candidates can never both succeed on one version.
//  * Loss: when no renewal succeeds for renew_deadline the elector calls
//    on_stopped_leading at once and stops; it never tries again (the process
//    is expected to exit and be restarted, as controller-runtime's managers).
//  * Release: Stop() by a leader with release_on_cancel clears
//    holderIdentity (leaseDurationSeconds 1), so a standby takes over at its
//    next retry instead of waiting for the lease to expire.
//
// Times are written as metav1.MicroTime, "2024-01-01T00:00:00.000000Z".
//
//   LeaderElector elector(client, {.lease_name = LeaderElectionId("source-controller", selector),
//                                  .lease_namespace = "flux-system", .identity = DefaultLeaderIdentity(),
//                                  .on_started_leading = [&] { StartControllers(); },
//                                  .on_stopped_leading = [&] { Exit(1); }});
//   elector.Start();
//
// Thread-safe. Callbacks run on the elector's thread; on_started_leading
// must not block for long (renewals wait for it).

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/core/duration.h"
#include "libs/core/logger.h"
#include "libs/kube/client.h"

namespace fluxcpp::runtime {

inline const kube::GroupVersionKind kLeaseGVK{"coordination.k8s.io", "v1", "Lease"};

// Flux's lease name: "<controller>-leader-election", plus "-<first 8 hex of
// sha256(selector)>" when a --watch-label-selector shards the controllers
// (fluxcd/pkg/runtime/leaderelection.GenerateID).
std::string LeaderElectionId(std::string_view controller_name, std::string_view label_selector);

// hostname + "_" + a random UUID, as controller-runtime's default identity.
std::string DefaultLeaderIdentity();

// UTC time in metav1.MicroTime form: 2024-01-01T00:00:00.000000Z.
std::string FormatMicroTime(std::chrono::system_clock::time_point t);

struct LeaderElectionOptions {
  std::string lease_name;       // required
  std::string lease_namespace;  // required
  std::string identity;         // required; unique per replica
  Duration lease_duration = std::chrono::seconds(35);
  Duration renew_deadline = std::chrono::seconds(30);
  Duration retry_period = std::chrono::seconds(5);
  bool release_on_cancel = true;
  // Called (on the elector thread) once leadership is acquired.
  std::function<void()> on_started_leading;
  // Called (on the elector thread) when leadership is lost; not called by a
  // voluntary Stop().
  std::function<void()> on_stopped_leading;
  // Called whenever another holder is observed (identity of the holder).
  std::function<void(const std::string&)> on_new_leader;
  Logger logger;
};

class LeaderElector {
 public:
  // `client` must outlive the elector.
  LeaderElector(kube::Client& client, LeaderElectionOptions options);
  ~LeaderElector();  // Stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Checks the options and starts the election thread.
  absl::Status Start();
  // Stops the thread; a leader releases the lease when release_on_cancel.
  // Idempotent.
  void Stop();

  bool IsLeader() const { return leading_.load(); }
  // True once leadership was lost (renew deadline passed).
  bool Lost() const { return lost_.load(); }
  const std::string& identity() const { return options_.identity; }
  const LeaderElectionOptions& options() const { return options_; }

  // One acquire-or-renew attempt: OK when this replica holds the lease
  // afterwards, kAlreadyExists when another holder's lease is still valid,
  // other codes on API errors (kAborted: lost an update race). Exposed for
  // tests; the election thread calls it.
  absl::Status TryAcquireOrRenew();
  // Clears holderIdentity when this replica holds the lease.
  absl::Status Release();

 private:
  void Run();
  // Sleeps up to `d`; false when stopping.
  bool SleepFor(Duration d);

  kube::Client& client_;
  const LeaderElectionOptions options_;
  std::atomic<bool> leading_{false};
  std::atomic<bool> lost_{false};

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The last record seen (its spec as JSON) and when it was first seen with
  // that content, on the local monotonic clock.
  std::string observed_spec_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point observed_at_ ABSL_GUARDED_BY(mu_);
  std::string observed_holder_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace fluxcpp::runtime
