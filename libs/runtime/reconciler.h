#pragma once
// The reconcile contract (controller-runtime's, level-based):
//
//  * A Request names an object, never the event that caused it: re-read the
//    state and converge. Requests for one key are never run concurrently.
//  * Result.error set      → the key is retried with per-key exponential
//                            backoff (--min-retry-delay .. --max-retry-delay);
//                            requeue_after is ignored.
//  * requeue_after set     → backoff is reset and the key is re-queued after
//                            the duration ± --interval-jitter-percentage
//                            (0 or less: re-queued at once).
//  * neither               → backoff is reset; the key waits for the next event.
//  * stalled (Stalled())   → a terminal error (Flux's reconcile.TerminalError):
//                            logged and counted as an error, but the key is
//                            not retried until the object changes.
//
// Interval requeues (RequeueAfter) are jittered; waits that must not drift
// (a dependency not ready yet: --requeue-dependency) use RequeueAfterExact.
//
// A ReconcileContext carries the deadline, the cancellation flag (set on
// shutdown and for stalled reconciles past their deadline) and a logger with
// Flux's fields: controller, controllerGroup, controllerKind, name,
// namespace, reconcileID.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/core/duration.h"
#include "libs/core/logger.h"
#include "libs/kube/client.h"

namespace fluxcpp::runtime {

struct Request {
  std::string ns;  // "" for cluster-scoped kinds
  std::string name;

  // "namespace/name" or "name".
  std::string Key() const { return ns.empty() ? name : ns + "/" + name; }
  static Request FromKey(std::string_view key) {
    size_t slash = key.find('/');
    if (slash == std::string_view::npos) return {"", std::string(key)};
    return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
  }
  bool operator==(const Request&) const = default;
  bool operator<(const Request& o) const { return ns != o.ns ? ns < o.ns : name < o.name; }
};

struct Result {
  std::optional<Duration> requeue_after;
  absl::Status error;
  // requeue_after gets ±--interval-jitter-percentage (interval requeues).
  bool jitter = true;
  // With `error`: do not retry (stalled until the object changes).
  bool terminal = false;

  static Result Done() { return {}; }
  // Interval requeue: jittered.
  static Result RequeueAfter(Duration d) { return {d, absl::OkStatus()}; }
  // Requeue after exactly `d` (dependency waits, polling).
  static Result RequeueAfterExact(Duration d) { return {d, absl::OkStatus(), false}; }
  static Result Error(absl::Status status) { return {std::nullopt, std::move(status)}; }
  // A terminal error: reported, never retried by backoff.
  static Result Stalled(absl::Status status) { return {std::nullopt, std::move(status), true, true}; }
};

class ReconcileContext {
 public:
  using Clock = std::chrono::steady_clock;

  // `stop` must outlive the context; nullptr means "never stopped".
  ReconcileContext(Request request, Logger logger, std::string reconcile_id, Clock::time_point deadline,
                   const kube::StopToken* stop)
      : request_(std::move(request)),
        logger_(std::move(logger)),
        reconcile_id_(std::move(reconcile_id)),
        deadline_(deadline),
        stop_(stop) {}

  const Request& request() const { return request_; }
  const Logger& logger() const { return logger_; }
  const std::string& reconcile_id() const { return reconcile_id_; }

  Clock::time_point deadline() const { return deadline_; }
  // Narrows the deadline (e.g. to spec.timeout); never extends it.
  void NarrowDeadline(Duration timeout) { deadline_ = std::min(deadline_, Clock::now() + timeout); }
  Duration remaining() const {
    auto left = deadline_ - Clock::now();
    return left < Duration::zero() ? Duration::zero() : std::chrono::duration_cast<Duration>(left);
  }
  bool deadline_exceeded() const { return Clock::now() >= deadline_; }
  // Shutdown was requested: finish quickly (the status is still patched).
  bool stop_requested() const { return stop_ != nullptr && stop_->stopped(); }
  bool cancelled() const { return stop_requested() || deadline_exceeded(); }
  // For long calls that accept a StopToken (kube::Client::Watch, waits).
  const kube::StopToken* stop_token() const { return stop_; }

 private:
  Request request_;
  Logger logger_;
  std::string reconcile_id_;
  Clock::time_point deadline_;
  const kube::StopToken* stop_;
};

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // Called from worker threads; must be thread-safe across distinct keys.
  virtual Result Reconcile(const Request& request, ReconcileContext& ctx) = 0;
};

}  // namespace fluxcpp::runtime
