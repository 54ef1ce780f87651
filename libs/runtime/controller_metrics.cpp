#include "libs/runtime/controller_metrics.h"

#include <chrono>

namespace fluxcpp::runtime {
namespace {

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

std::vector<double> ReconcileTimeBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6,
          0.7,   0.8,  0.9,   1.0,  1.25, 1.5, 1.75, 2.0, 2.5, 3.0,  3.5, 4.0,  4.5, 5,
          6,     7,    8,     9,    10,   15,  20,   25,  30,  40,   50,  60};
}

class PrometheusWorkQueueMetrics : public WorkQueueMetrics {
 public:
  PrometheusWorkQueueMetrics(std::shared_ptr<Gauge> depth, std::shared_ptr<Counter> adds,
                             std::shared_ptr<Counter> retries, std::shared_ptr<Histogram> queue_duration,
                             std::shared_ptr<Histogram> work_duration)
      : depth_(std::move(depth)),
        adds_(std::move(adds)),
        retries_(std::move(retries)),
        queue_duration_(std::move(queue_duration)),
        work_duration_(std::move(work_duration)) {}
  void OnAdd() override { adds_->Inc(); }
  void OnDepth(int64_t depth) override { depth_->Set(static_cast<double>(depth)); }
  void OnGet(Duration queued_for) override { queue_duration_->Observe(Seconds(queued_for)); }
  void OnDone(Duration worked_for) override { work_duration_->Observe(Seconds(worked_for)); }
  void OnRetry() override { retries_->Inc(); }

 private:
  std::shared_ptr<Gauge> depth_;
  std::shared_ptr<Counter> adds_;
  std::shared_ptr<Counter> retries_;
  std::shared_ptr<Histogram> queue_duration_;
  std::shared_ptr<Histogram> work_duration_;
};

}  // namespace

ControllerMetrics::ControllerMetrics(MetricsRegistry& r)
    : reconcile_duration_(r.AddHistogram("gotk_reconcile_duration_seconds",
                                         "The duration in seconds of a GitOps Toolkit resource reconciliation.",
                                         {"kind", "name", "namespace"}, ExponentialBucketsRange(0.01, 1800, 10))),
      reconcile_condition_(r.AddGauge("gotk_reconcile_condition",
                                      "The current condition status of a GitOps Toolkit resource reconciliation.",
                                      {"kind", "name", "namespace", "type", "status"})),
      suspend_status_(r.AddGauge("gotk_suspend_status", "The current suspend status of a GitOps Toolkit resource.",
                                 {"kind", "name", "namespace"})),
      reconcile_total_(r.AddCounter("controller_runtime_reconcile_total",
                                    "Total number of reconciliations per controller", {"controller", "result"})),
      reconcile_errors_(r.AddCounter("controller_runtime_reconcile_errors_total",
                                     "Total number of reconciliation errors per controller", {"controller"})),
      reconcile_time_(r.AddHistogram("controller_runtime_reconcile_time_seconds",
                                     "Length of time per reconciliation per controller", {"controller"},
                                     ReconcileTimeBuckets())),
      active_workers_(r.AddGauge("controller_runtime_active_workers",
                                 "Number of currently used workers per controller", {"controller"})),
      max_concurrent_(r.AddGauge("controller_runtime_max_concurrent_reconciles",
                                 "Maximum number of concurrent reconciles per controller", {"controller"})),
      wq_depth_(r.AddGauge("workqueue_depth", "Current depth of workqueue", {"controller", "name"})),
      wq_adds_(r.AddCounter("workqueue_adds_total", "Total number of adds handled by workqueue",
                            {"controller", "name"})),
      wq_retries_(r.AddCounter("workqueue_retries_total", "Total number of retries handled by workqueue",
                               {"controller", "name"})),
      wq_queue_duration_(r.AddHistogram("workqueue_queue_duration_seconds",
                                        "How long in seconds an item stays in workqueue before being requested",
                                        {"controller", "name"}, ExponentialBuckets(10e-9, 10, 12))),
      wq_work_duration_(r.AddHistogram("workqueue_work_duration_seconds",
                                       "How long in seconds processing an item from workqueue takes.",
                                       {"controller", "name"}, ExponentialBuckets(10e-9, 10, 12))) {}

void ControllerMetrics::RecordDuration(const std::string& kind, const std::string& ns, const std::string& name,
                                       Duration d) {
  reconcile_duration_.WithLabels({kind, name, ns})->Observe(Seconds(d));
}

void ControllerMetrics::RecordSuspend(const std::string& kind, const std::string& ns, const std::string& name,
                                      bool suspended) {
  suspend_status_.WithLabels({kind, name, ns})->Set(suspended ? 1 : 0);
}

void ControllerMetrics::RecordCondition(const std::string& kind, const std::string& ns, const std::string& name,
                                        const std::string& type, const std::string& status) {
  for (const char* s : {"True", "False", "Unknown"}) {
    reconcile_condition_.WithLabels({kind, name, ns, type, s})->Set(status == s ? 1 : 0);
  }
}

void ControllerMetrics::DeleteObject(const std::string& kind, const std::string& ns, const std::string& name) {
  std::map<std::string, std::string> match{{"kind", kind}, {"name", name}, {"namespace", ns}};
  reconcile_duration_.RemoveMatching(match);
  reconcile_condition_.RemoveMatching(match);
  suspend_status_.RemoveMatching(match);
}

void ControllerMetrics::RecordReconcile(const std::string& controller, const std::string& result, Duration d) {
  reconcile_total_.WithLabels({controller, result})->Inc();
  if (result == "error") reconcile_errors_.WithLabels({controller})->Inc();
  reconcile_time_.WithLabels({controller})->Observe(Seconds(d));
}

void ControllerMetrics::SetActiveWorkers(const std::string& controller, int n) {
  active_workers_.WithLabels({controller})->Set(n);
}

void ControllerMetrics::SetMaxConcurrentReconciles(const std::string& controller, int n) {
  max_concurrent_.WithLabels({controller})->Set(n);
}

std::unique_ptr<WorkQueueMetrics> ControllerMetrics::NewWorkQueueMetrics(const std::string& controller) {
  // Like controller-runtime, initialise the result series so they show as 0.
  for (const char* result : {"success", "error", "requeue", "requeue_after"}) {
    reconcile_total_.WithLabels({controller, result});
  }
  reconcile_errors_.WithLabels({controller});
  return std::make_unique<PrometheusWorkQueueMetrics>(
      wq_depth_.WithLabels({controller, controller}), wq_adds_.WithLabels({controller, controller}),
      wq_retries_.WithLabels({controller, controller}), wq_queue_duration_.WithLabels({controller, controller}),
      wq_work_duration_.WithLabels({controller, controller}));
}

}  // namespace fluxcpp::runtime
