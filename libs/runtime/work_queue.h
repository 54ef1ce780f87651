#pragma once
// A de-duplicating, rate-limited, delay-capable work queue, with the
// semantics of client-go's workqueue that controller-runtime relies on:
//
//  * De-duplication: a key added N times before a worker takes it is handed
//    out once.
//  * Exclusivity: a key handed out by Get() is "processing" until Done(key);
//    it is never handed to a second worker meanwhile. Adding it again while
//    it is processing marks it dirty, and Done() re-queues it.
//  * AddAfter(key, d): the key is added once `d` has elapsed; when the key is
//    already waiting, the earliest deadline wins.
//  * AddRateLimited(key): AddAfter with a per-key exponential backoff,
//    min_retry_delay * 2^failures capped at max_retry_delay (Flux's
//    --min-retry-delay 750ms / --max-retry-delay 15m). Forget(key) resets it.
//  * Get() blocks until a key is ready or the queue shuts down (nullopt).
//
// Shutdown: ShutDown() makes every Get() return nullopt at once; queued and
// waiting keys are dropped (reconciliation is level-based, the next start
// lists everything again) and later Adds are ignored. Keys being processed
// stay processing until their Done(). ShutDownWithDrain(timeout) also waits
// (bounded) for every processing key to be Done.
//
// Thread-safe. Delayed keys are promoted by whichever thread waits in Get(),
// so the queue needs no thread of its own.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/core/duration.h"

namespace fluxcpp::runtime {

// Observer for queue metrics (the workqueue_* Prometheus series). Every
// method may be called with the queue's lock held: implementations must be
// cheap and must not call back into the queue.
class WorkQueueMetrics {
 public:
  virtual ~WorkQueueMetrics() = default;
  virtual void OnAdd() {}                       // a key entered the ready queue
  virtual void OnDepth(int64_t /*depth*/) {}    // ready-queue length changed
  virtual void OnGet(Duration /*queued_for*/) {}  // time from add to hand-out
  virtual void OnDone(Duration /*worked_for*/) {}  // time from hand-out to Done
  virtual void OnRetry() {}                     // AddRateLimited was called
};

struct WorkQueueOptions {
  Duration min_retry_delay = std::chrono::milliseconds(750);
  Duration max_retry_delay = std::chrono::minutes(15);
  // Not owned; may be null. Must outlive the queue.
  WorkQueueMetrics* metrics = nullptr;
};

template <typename Key = std::string>
class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WorkQueue(WorkQueueOptions options = {}) : options_(options) {}
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` now (no-op when already queued or after shutdown).
  void Add(const Key& key) {
    absl::MutexLock lock(&mu_);
    AddLocked(key, Clock::now());
  }

  // Queues `key` once `delay` has elapsed; a non-positive delay is Add().
  void AddAfter(const Key& key, Duration delay) {
    if (delay <= Duration::zero()) {
      Add(key);
      return;
    }
    absl::MutexLock lock(&mu_);
    if (shutting_down_) return;
    Clock::time_point at = Clock::now() + delay;
    auto it = waiting_.find(key);
    if (it != waiting_.end()) {
      if (it->second <= at) return;  // earliest wins
      waiting_by_time_.erase({it->second, key});
      it->second = at;
    } else {
      waiting_.emplace(key, at);
    }
    waiting_by_time_.insert({at, key});
    cond_.Signal();  // a waiter may need an earlier wake-up
  }

  // Queues `key` after its backoff delay and counts a failure for it.
  void AddRateLimited(const Key& key) {
    Duration delay;
    {
      absl::MutexLock lock(&mu_);
      if (shutting_down_) return;
      if (options_.metrics != nullptr) options_.metrics->OnRetry();
      delay = NextBackoffLocked(key);
    }
    AddAfter(key, delay);
  }

  // The backoff the next AddRateLimited(key) would use, without counting.
  Duration PeekBackoff(const Key& key) const {
    absl::MutexLock lock(&mu_);
    auto it = failures_.find(key);
    return BackoffFor(it == failures_.end() ? 0 : it->second);
  }

  // Forgets the failures of `key` (call after a successful reconcile).
  void Forget(const Key& key) {
    absl::MutexLock lock(&mu_);
    failures_.erase(key);
  }

  // How many AddRateLimited calls `key` has had since its last Forget.
  int NumRequeues(const Key& key) const {
    absl::MutexLock lock(&mu_);
    auto it = failures_.find(key);
    return it == failures_.end() ? 0 : it->second;
  }

  // Blocks until a key is ready and marks it processing; nullopt once the
  // queue is shut down. The caller must call Done(key) afterwards.
  std::optional<Key> Get() {
    absl::MutexLock lock(&mu_);
    while (true) {
      if (shutting_down_) return std::nullopt;
      Clock::time_point now = Clock::now();
      PromoteDueLocked(now);
      if (!queue_.empty()) {
        Key key = std::move(queue_.front());
        queue_.pop_front();
        dirty_.erase(key);
        if (options_.metrics != nullptr) {
          options_.metrics->OnDepth(static_cast<int64_t>(queue_.size()));
          auto at = added_at_.find(key);
          if (at != added_at_.end()) options_.metrics->OnGet(now - at->second);
        }
        added_at_.erase(key);
        processing_.emplace(key, now);
        return key;
      }
      if (waiting_by_time_.empty()) {
        cond_.Wait(&mu_);
      } else {
        auto wait = waiting_by_time_.begin()->first - now;
        cond_.WaitWithTimeout(&mu_, absl::FromChrono(std::chrono::duration_cast<std::chrono::nanoseconds>(wait)));
      }
    }
  }

  // Marks `key` as no longer processing; re-queues it when it was added
  // while processing.
  void Done(const Key& key) {
    absl::MutexLock lock(&mu_);
    auto it = processing_.find(key);
    if (it == processing_.end()) return;
    if (options_.metrics != nullptr) options_.metrics->OnDone(Clock::now() - it->second);
    processing_.erase(it);
    if (dirty_.count(key) > 0 && !shutting_down_) {
      queue_.push_back(key);
      added_at_.emplace(key, Clock::now());
      if (options_.metrics != nullptr) options_.metrics->OnDepth(static_cast<int64_t>(queue_.size()));
      cond_.Signal();
    }
    if (processing_.empty()) drained_.SignalAll();
  }

  // Stops handing out keys (see the file comment).
  void ShutDown() {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    cond_.SignalAll();
  }

  // ShutDown(), then waits up to `timeout` for processing keys to be Done.
  // True when everything drained in time.
  bool ShutDownWithDrain(Duration timeout) {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    cond_.SignalAll();
    absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
    while (!processing_.empty()) {
      if (drained_.WaitWithDeadline(&mu_, deadline)) break;  // timed out
    }
    return processing_.empty();
  }

  bool ShuttingDown() const {
    absl::MutexLock lock(&mu_);
    return shutting_down_;
  }
  // Keys ready to be handed out (not waiting, not processing).
  size_t Len() const {
    absl::MutexLock lock(&mu_);
    return queue_.size();
  }
  size_t NumWaiting() const {
    absl::MutexLock lock(&mu_);
    return waiting_.size();
  }
  size_t NumProcessing() const {
    absl::MutexLock lock(&mu_);
    return processing_.size();
  }

 private:
  Duration BackoffFor(int failures) const {
    // min * 2^failures, computed in double to avoid overflow, then capped.
    double nanos = static_cast<double>(options_.min_retry_delay.count()) *
                   std::pow(2.0, static_cast<double>(std::min(failures, 62)));
    double cap = static_cast<double>(options_.max_retry_delay.count());
    return Duration(static_cast<int64_t>(std::min(nanos, cap)));
  }

  Duration NextBackoffLocked(const Key& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    int& failures = failures_[key];
    Duration d = BackoffFor(failures);
    ++failures;
    return d;
  }

  void AddLocked(const Key& key, Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (shutting_down_) return;
    // A key made ready now no longer needs a delayed add.
    auto w = waiting_.find(key);
    if (w != waiting_.end()) {
      waiting_by_time_.erase({w->second, key});
      waiting_.erase(w);
    }
    if (!dirty_.insert(key).second) return;  // already queued
    if (options_.metrics != nullptr) options_.metrics->OnAdd();
    if (processing_.count(key) > 0) return;  // re-queued by Done()
    queue_.push_back(key);
    added_at_.emplace(key, now);
    if (options_.metrics != nullptr) options_.metrics->OnDepth(static_cast<int64_t>(queue_.size()));
    cond_.Signal();
  }

  void PromoteDueLocked(Clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (!waiting_by_time_.empty() && waiting_by_time_.begin()->first <= now) {
      Key key = waiting_by_time_.begin()->second;
      waiting_by_time_.erase(waiting_by_time_.begin());
      waiting_.erase(key);
      AddLocked(key, now);
    }
  }

  const WorkQueueOptions options_;
  mutable absl::Mutex mu_;
  absl::CondVar cond_;     // a key became ready, a delay changed, or shutdown
  absl::CondVar drained_;  // processing_ became empty
  std::deque<Key> queue_ ABSL_GUARDED_BY(mu_);
  // Keys that need processing: queued, or re-added while processing.
  std::set<Key> dirty_ ABSL_GUARDED_BY(mu_);
  std::map<Key, Clock::time_point> processing_ ABSL_GUARDED_BY(mu_);
  std::map<Key, Clock::time_point> added_at_ ABSL_GUARDED_BY(mu_);
  std::map<Key, Clock::time_point> waiting_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<Clock::time_point, Key>> waiting_by_time_ ABSL_GUARDED_BY(mu_);
  std::map<Key, int> failures_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace fluxcpp::runtime
