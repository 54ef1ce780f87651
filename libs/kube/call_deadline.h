#pragma once
// A per-thread deadline for Client calls, so that callers bound every
// request they make without new parameters on each verb:
//
//   {
//     kube::ScopedCallDeadline bound(absl::Now() + absl::Seconds(2));
//     auto lease = client.Get(kLeaseGVK, ns, name);  // gives up by then
//   }
//
// While a scope is active on the calling thread, the REST transport caps the
// connect/read/write timeouts of each attempt at the time left, retries only
// while the backoff fits before the deadline, and fails with
// kDeadlineExceeded once it has passed (before sending, or when an attempt
// timed out because of it). Scopes nest: the earliest deadline wins.
// Watch streams are not bounded (they have a StopToken). The controller
// framework installs one scope per reconcile with the reconcile's deadline.

#include "absl/time/time.h"

namespace fluxcpp::kube {

class ScopedCallDeadline {
 public:
  explicit ScopedCallDeadline(absl::Time deadline);
  ~ScopedCallDeadline();
  ScopedCallDeadline(const ScopedCallDeadline&) = delete;
  ScopedCallDeadline& operator=(const ScopedCallDeadline&) = delete;

 private:
  absl::Time saved_;
};

// The calling thread's deadline; absl::InfiniteFuture() when none.
absl::Time CurrentCallDeadline();

}  // namespace fluxcpp::kube
