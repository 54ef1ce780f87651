#include "libs/kube/rate_limiter.h"

#include <algorithm>

namespace fluxcpp::kube {

RateLimiter::RateLimiter(double qps, int burst, std::function<absl::Time()> now)
    : qps_(qps), burst_(std::max(1, burst)), now_(std::move(now)), tokens_(burst_), last_(now_()) {}

void RateLimiter::RefillLocked(absl::Time now) {
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * qps_);
    last_ = now;
  }
}

absl::Duration RateLimiter::Reserve() {
  if (qps_ <= 0) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  RefillLocked(now_());
  tokens_ -= 1;
  if (tokens_ >= 0) return absl::ZeroDuration();
  return absl::Seconds(-tokens_ / qps_);
}

bool RateLimiter::TryAccept() {
  if (qps_ <= 0) return true;
  absl::MutexLock lock(&mu_);
  RefillLocked(now_());
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void RateLimiter::Wait() {
  absl::Duration wait = Reserve();
  if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
}

}  // namespace fluxcpp::kube
