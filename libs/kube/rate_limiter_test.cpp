#include "libs/kube/rate_limiter.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace fluxcpp::kube {
namespace {

TEST_CASE("RateLimiter allows a burst, then paces at qps", "[ratelimit]") {
  absl::Time now = absl::UnixEpoch();
  RateLimiter limiter(10, 3, [&] { return now; });
  CHECK(limiter.Reserve() == absl::ZeroDuration());
  CHECK(limiter.Reserve() == absl::ZeroDuration());
  CHECK(limiter.Reserve() == absl::ZeroDuration());
  // Bucket empty: the next callers queue 100ms apart.
  CHECK(limiter.Reserve() == absl::Milliseconds(100));
  CHECK(limiter.Reserve() == absl::Milliseconds(200));
  CHECK_FALSE(limiter.TryAccept());
  now += absl::Milliseconds(200);  // pays back the two reservations
  CHECK_FALSE(limiter.TryAccept());
  now += absl::Milliseconds(100);
  CHECK(limiter.TryAccept());
  // Refill is capped at the burst.
  now += absl::Hours(1);
  for (int i = 0; i < 3; ++i) CHECK(limiter.TryAccept());
  CHECK_FALSE(limiter.TryAccept());
}

TEST_CASE("RateLimiter with qps <= 0 is unlimited", "[ratelimit]") {
  RateLimiter limiter(0, 1);
  CHECK_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) CHECK(limiter.Reserve() == absl::ZeroDuration());
}

TEST_CASE("RateLimiter paces concurrent callers", "[ratelimit]") {
  RateLimiter limiter(100, 1);
  std::atomic<int> done{0};
  absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        limiter.Wait();
        ++done;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(done == 20);
  // 1 from the burst + 19 at 10ms each.
  CHECK(absl::Now() - start >= absl::Milliseconds(180));
}

}  // namespace
}  // namespace fluxcpp::kube
