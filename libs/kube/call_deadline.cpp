#include "libs/kube/call_deadline.h"

#include <algorithm>

namespace fluxcpp::kube {
namespace {

thread_local absl::Time t_deadline = absl::InfiniteFuture();

}  // namespace

ScopedCallDeadline::ScopedCallDeadline(absl::Time deadline) : saved_(t_deadline) {
  t_deadline = std::min(t_deadline, deadline);
}

ScopedCallDeadline::~ScopedCallDeadline() { t_deadline = saved_; }

absl::Time CurrentCallDeadline() { return t_deadline; }

}  // namespace fluxcpp::kube
