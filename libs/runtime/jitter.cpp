#include "libs/runtime/jitter.h"

#include "absl/strings/str_cat.h"
#include "libs/runtime/random.h"

namespace fluxcpp::runtime {

absl::Status ValidateJitterPercentage(double percentage) {
  if (percentage < 0 || percentage >= 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("--interval-jitter-percentage must be >= 0 and < 100, got ", percentage));
  }
  return absl::OkStatus();
}

Duration Jitter(Duration d, double percentage) {
  if (percentage <= 0 || d <= Duration::zero()) return d;
  double factor = 1.0 + absl::Uniform(ThreadRandom(), -percentage / 100.0, percentage / 100.0);
  return Duration(static_cast<int64_t>(static_cast<double>(d.count()) * factor));
}

}  // namespace fluxcpp::runtime
