#pragma once
// The metric families every Flux controller exports, registered once per
// process on a MetricsRegistry and shared by its controllers:
//
//   gotk_reconcile_duration_seconds{kind,name,namespace}   histogram, buckets
//       ExponentialBucketsRange(0.01, 1800, 10) as fluxcd/pkg/runtime/metrics
//   gotk_reconcile_condition{kind,name,namespace,type,status} gauge
//   gotk_suspend_status{kind,name,namespace}                gauge
//   controller_runtime_reconcile_total{controller,result}   counter
//       result: success | error | requeue | requeue_after
//   controller_runtime_reconcile_errors_total{controller}   counter
//   controller_runtime_reconcile_time_seconds{controller}   histogram
//   controller_runtime_active_workers{controller}           gauge
//   controller_runtime_max_concurrent_reconciles{controller} gauge
//   workqueue_{depth,adds_total,retries_total,queue_duration_seconds,
//              work_duration_seconds}{controller,name}
//
// Thread-safe.

#include <memory>
#include <string>

#include "libs/core/duration.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/work_queue.h"

namespace fluxcpp::runtime {

class ControllerMetrics {
 public:
  explicit ControllerMetrics(MetricsRegistry& registry);

  // gotk_* (object-level; `kind` is the Flux kind, e.g. "GitRepository").
  void RecordDuration(const std::string& kind, const std::string& ns, const std::string& name, Duration d);
  void RecordSuspend(const std::string& kind, const std::string& ns, const std::string& name, bool suspended);
  // One series per status value (True/False/Unknown): 1 for `status`, 0 for the others.
  void RecordCondition(const std::string& kind, const std::string& ns, const std::string& name,
                       const std::string& type, const std::string& status);
  // Drops every gotk_* series of an object (call when it is deleted).
  void DeleteObject(const std::string& kind, const std::string& ns, const std::string& name);

  // controller_runtime_* (controller-level).
  void RecordReconcile(const std::string& controller, const std::string& result, Duration d);
  void SetActiveWorkers(const std::string& controller, int n);
  void SetMaxConcurrentReconciles(const std::string& controller, int n);

  // A WorkQueueMetrics feeding the workqueue_* series of `controller`.
  std::unique_ptr<WorkQueueMetrics> NewWorkQueueMetrics(const std::string& controller);

  HistogramFamily& reconcile_duration() { return reconcile_duration_; }

 private:
  HistogramFamily& reconcile_duration_;
  GaugeFamily& reconcile_condition_;
  GaugeFamily& suspend_status_;
  CounterFamily& reconcile_total_;
  CounterFamily& reconcile_errors_;
  HistogramFamily& reconcile_time_;
  GaugeFamily& active_workers_;
  GaugeFamily& max_concurrent_;
  GaugeFamily& wq_depth_;
  CounterFamily& wq_adds_;
  CounterFamily& wq_retries_;
  HistogramFamily& wq_queue_duration_;
  HistogramFamily& wq_work_duration_;
};

}  // namespace fluxcpp::runtime
