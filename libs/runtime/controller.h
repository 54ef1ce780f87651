#pragma once
// A Controller wires an Informer for its primary kind to a WorkQueue and
// `concurrent` worker threads that call a Reconciler (see reconciler.h for
// the contract).
//
//  * Primary events: add and delete always enqueue; updates enqueue when
//    `update_predicate` says so (default: generation, requestedAt
//    annotation, deletionTimestamp or finalizers changed; status-only
//    updates are ignored).
//  * Watch(): secondary kinds map their objects to primary requests (e.g.
//    GitRepository → the Kustomizations that reference it).
//  * Enqueue(): external triggers (artifact notices, webhooks).
//  * Stop(grace): stops the informers it owns and the queue, waits up to
//    `grace` for in-flight reconciles, then sets their stop token and waits
//    for the workers to return.
//
//   Controller c(client, {.name = "gitrepository", .gvk = kGitRepositoryGVK, .concurrent = 2},
//                std::make_unique<GitRepositoryReconciler>(...));
//   c.Watch(secret_gvk, [](const object::Value& s) { return ...; });
//   FLUX_RETURN_IF_ERROR(c.Start());
//
// Thread-safe after construction; Watch() must be called before Start().

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/core/duration.h"
#include "libs/core/logger.h"
#include "libs/kube/client.h"
#include "libs/runtime/controller_metrics.h"
#include "libs/runtime/informer.h"
#include "libs/runtime/predicates.h"
#include "libs/runtime/reconciler.h"
#include "libs/runtime/work_queue.h"

namespace fluxcpp::runtime {

// Maps a (secondary) object to the primary objects to reconcile.
using MapFunc = std::function<std::vector<Request>(const object::Value& obj)>;

struct ControllerOptions {
  // Lower-case kind by convention ("gitrepository"), the `controller` label
  // of metrics and log lines.
  std::string name;
  kube::GroupVersionKind gvk;
  std::string ns;              // watched namespace; "" = all (--watch-all-namespaces)
  std::string label_selector;  // --watch-label-selector
  int concurrent = 4;          // --concurrent
  Duration min_retry_delay = std::chrono::milliseconds(750);
  Duration max_retry_delay = std::chrono::minutes(15);
  double jitter_percentage = 5;  // --interval-jitter-percentage
  // Deadline given to each reconcile; reconcilers narrow it to spec.timeout.
  Duration reconcile_timeout = std::chrono::hours(1);
  // How long Start() waits for the informers' first list.
  Duration cache_sync_timeout = std::chrono::minutes(2);
  // nullptr = DefaultUpdatePredicate.
  UpdatePredicate update_predicate;
  // Optional; must outlive the controller.
  ControllerMetrics* metrics = nullptr;
  Logger logger;
  // Optional shared informer for the primary kind (must match gvk/ns/selector);
  // otherwise the controller creates and owns one.
  std::shared_ptr<Informer> informer;
};

class Controller {
 public:
  // `client` must outlive the controller.
  Controller(kube::Client& client, ControllerOptions options, std::unique_ptr<Reconciler> reconciler);
  ~Controller();  // Stop()s with a short grace
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // The primary informer (the controller's read cache of its kind).
  Informer& informer() { return *primary_; }
  const std::shared_ptr<Informer>& shared_informer() const { return primary_; }

  // Watches a secondary kind through a new informer owned by the controller
  // (all namespaces unless `ns`). Every add/delete, and every update passing
  // `predicate` (default: any change), enqueues mapper(obj). Returns the
  // informer so the reconciler can read its cache.
  std::shared_ptr<Informer> Watch(const kube::GroupVersionKind& gvk, MapFunc mapper, UpdatePredicate predicate = {},
                                  const std::string& ns = "", const std::string& label_selector = "");
  // Same, on an informer shared with others (not stopped by this controller).
  void Watch(std::shared_ptr<Informer> informer, MapFunc mapper, UpdatePredicate predicate = {});

  void Enqueue(const Request& request) { queue_.Add(request.Key()); }
  void EnqueueAfter(const Request& request, Duration delay) { queue_.AddAfter(request.Key(), delay); }

  // Starts the informers, waits for their first list (DeadlineExceeded after
  // cache_sync_timeout; workers are started anyway), then starts the workers.
  absl::Status Start();
  void Stop(Duration grace = std::chrono::seconds(30));
  // Stops reconciling at once without waiting: the queue shuts down (no key
  // is handed out any more) and every in-flight reconcile's stop token is
  // set. Used when leadership is lost. Stop() still joins the workers.
  void Cancel();
  // Waits up to `timeout` for in-flight reconciles to return; true if none is left.
  bool WaitIdle(Duration timeout) const;

  bool HasSynced() const;
  const std::string& name() const { return options_.name; }
  const ControllerOptions& options() const { return options_; }
  WorkQueue<std::string>& queue() { return queue_; }

 private:
  struct Source {
    std::shared_ptr<Informer> informer;
    bool owned = false;
  };

  void AttachPrimaryHandlers();
  void Worker();
  void ProcessKey(const std::string& key);

  kube::Client& client_;
  const ControllerOptions options_;
  std::unique_ptr<Reconciler> reconciler_;
  std::unique_ptr<WorkQueueMetrics> queue_metrics_;
  WorkQueue<std::string> queue_;
  std::shared_ptr<Informer> primary_;
  std::vector<Source> sources_;  // primary first; fixed after Start()

  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  // Orders Start()'s worker spawn against Stop()'s join (Start may still be
  // waiting for caches on another thread when Stop begins).
  absl::Mutex lifecycle_mu_;
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(lifecycle_mu_);
  std::atomic<int> active_workers_{0};

  absl::Mutex active_mu_;
  // Stop tokens of in-flight reconciles, set when the drain grace runs out.
  std::set<kube::StopToken*> active_tokens_ ABSL_GUARDED_BY(active_mu_);
  bool cancel_all_ ABSL_GUARDED_BY(active_mu_) = false;
};

}  // namespace fluxcpp::runtime
