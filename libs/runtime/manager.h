#pragma once
// Manager: the process-level half of a controller binary. It owns the
// shared kube::Client, the metrics registry and the HTTP endpoints: GET
// /metrics on --metrics-addr, GET /healthz and /readyz on --health-addr
// (200 "ok"; /readyz only once every informer synced and every ready check
// passes; else 500 with the reason), both served by one http::Server thread
// ("" or "0" disables an address), shared informers and the controllers.
// Run() blocks until SIGTERM/SIGINT (or RequestStop()), then shuts down:
// controllers drain (bounded), informers stop, servers close.
//
//   ManagerOptions opts; RegisterCommonFlags(flags, opts); ...; FinalizeOptions(opts, gates);
//   FLUX_ASSIGN_OR_RETURN(auto mgr, Manager::Create(opts));
//   mgr->AddController(mgr->ControllerDefaults("gitrepository", kGitRepositoryGVK), std::move(reconciler));
//   return mgr->Run();
//
// Leader election (--enable-leader-election): servers and shared informers
// start at once on every replica (a standby keeps a warm cache and answers
// probes; /readyz does not wait for controllers that are not running);
// controllers and OnStartedLeading callbacks start only once this replica
// holds the Lease ManagerOptions::leader_election_id. Losing it cancels every
// reconcile at once and exits the process with status 1 (or makes Run()
// return kAborted when exit_on_lost_leadership is false). A graceful
// shutdown drains the controllers first, then releases the Lease
// (--leader-election-release-on-cancel) so a standby takes over at once.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/kube/client.h"
#include "libs/runtime/controller.h"
#include "libs/runtime/controller_metrics.h"
#include "libs/runtime/informer.h"
#include "libs/runtime/leader_elector.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/options.h"

namespace fluxcpp::http {
class Server;
}

namespace fluxcpp::runtime {

class Manager {
 public:
  // Loads the kubeconfig (--kubeconfig, qps/burst) and connects.
  static absl::StatusOr<std::unique_ptr<Manager>> Create(ManagerOptions options);
  Manager(std::unique_ptr<kube::Client> client, ManagerOptions options);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  kube::Client& client() { return *client_; }
  MetricsRegistry& registry() { return registry_; }
  ControllerMetrics& metrics() { return metrics_; }
  const ManagerOptions& options() const { return options_; }
  const Logger& logger() const { return logger_; }

  // ControllerOptions filled from the common flags: concurrency, retry
  // delays, jitter, watched namespace and label selector, metrics, logger.
  ControllerOptions ControllerDefaults(const std::string& name, const kube::GroupVersionKind& gvk);
  // Adds a controller, started by Start()/Run(). Call before Start().
  Controller& AddController(ControllerOptions options, std::unique_ptr<Reconciler> reconciler);

  // One informer per (gvk, namespace, selector), shared by everyone asking;
  // started by Start() (or at once when already started).
  std::shared_ptr<Informer> SharedInformer(const kube::GroupVersionKind& gvk, const std::string& ns = "",
                                           const std::string& label_selector = "");

  // Runs `fn` (on its own thread) once this replica leads: at Start()
  // without leader election. For leader-only servers (source-controller's
  // artifact server). Call before Start().
  void OnStartedLeading(std::function<void()> fn);
  // True while controllers may run (always true without leader election,
  // once started).
  bool IsLeader() const;
  // True after leadership was lost.
  bool LostLeadership() const { return lost_leadership_.load(); }

  // Extra checks: non-OK fails /healthz or /readyz with the message.
  void AddHealthCheck(const std::string& name, std::function<absl::Status()> check);
  void AddReadyCheck(const std::string& name, std::function<absl::Status()> check);

  // Binds the servers, starts shared informers and controllers. Returns the
  // first error (bind failure, cache sync timeout).
  absl::Status Start();
  // Graceful shutdown; idempotent.
  void Stop(Duration grace = std::chrono::seconds(30));
  // Start(), wait for SIGTERM/SIGINT or RequestStop(), Stop().
  absl::Status Run();
  // Makes Run() return (async-signal-safe).
  void RequestStop();

  // Bound ports (after Start()); 0 when the server is disabled.
  int metrics_port() const { return metrics_port_; }
  int health_port() const { return health_port_; }
  // What /readyz answers.
  absl::Status ReadyStatus() const;

 private:
  struct Check {
    std::string name;
    std::function<absl::Status()> fn;
  };
  // Starts controllers and leader callbacks (on leader_thread_).
  absl::Status StartLeading();
  // Elector thread: cancel reconciles, then exit or wake Run().
  void OnLostLeadership();
  // Binds the metrics and health listeners (an empty or "0" address
  // disables one) and starts the server thread serving both.
  absl::Status StartServer();
  static absl::Status RunChecks(const std::vector<Check>& checks);

  std::unique_ptr<kube::Client> client_;
  const ManagerOptions options_;
  Logger logger_;
  MetricsRegistry registry_;
  ControllerMetrics metrics_;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Controller>> controllers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Informer>> informers_ ABSL_GUARDED_BY(mu_);
  std::vector<Check> health_checks_ ABSL_GUARDED_BY(mu_);
  std::vector<Check> ready_checks_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> leader_callbacks_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<LeaderElector> elector_;
  std::thread leader_thread_;
  std::atomic<bool> leading_{false};
  std::atomic<bool> lost_leadership_{false};
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;

  // One thread serves both endpoints (libs/http/server.h).
  std::unique_ptr<http::Server> server_;
  int metrics_port_ = 0;
  int health_port_ = 0;
  int stop_pipe_[2] = {-1, -1};
};

}  // namespace fluxcpp::runtime
