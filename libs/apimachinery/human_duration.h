#pragma once
// Kubernetes' human-readable ages ("5m", "3h12m", "2d4h"), as in
// k8s.io/apimachinery/pkg/util/duration.HumanDuration and the AGE column.

#include <chrono>
#include <string>
#include <string_view>

namespace fluxcpp::apimachinery {

std::string HumanDuration(std::chrono::seconds d);

// Age of an RFC 3339 timestamp relative to `now`; "<unknown>" when unparsable.
std::string AgeOf(std::string_view rfc3339, std::chrono::system_clock::time_point now);

// Parses "2024-05-01T10:00:00Z" (also with fractional seconds / offsets).
bool ParseRfc3339(std::string_view text, std::chrono::system_clock::time_point* out);

}  // namespace fluxcpp::apimachinery
