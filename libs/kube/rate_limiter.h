#pragma once
// A thread-safe token bucket (client-go's flowcontrol.NewTokenBucketRateLimiter):
// `burst` tokens, refilled at `qps` per second. Callers that find the bucket
// empty reserve a future token and sleep until it is theirs, so waiters are
// served in arrival order.

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace fluxcpp::kube {

class RateLimiter {
 public:
  // qps <= 0 disables limiting. burst < 1 is treated as 1.
  RateLimiter(double qps, int burst, std::function<absl::Time()> now = [] { return absl::Now(); });

  // Takes a token, sleeping until one is available.
  void Wait();
  // Takes a token and returns how long the caller must wait before using it
  // (zero when one was available).
  absl::Duration Reserve();
  // Takes a token only if one is available now.
  bool TryAccept();

  bool enabled() const { return qps_ > 0; }

 private:
  void RefillLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double qps_;
  const double burst_;
  const std::function<absl::Time()> now_;
  absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_);  // may go negative: reserved future tokens
  absl::Time last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fluxcpp::kube
