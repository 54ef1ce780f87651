#pragma once
// Debian's Abseil has its own absl::string_view (not std::string_view); these
// convert between the two without copying. See libs/core/README.md.

#include <string_view>

#include "absl/strings/string_view.h"

namespace fluxcpp::kube {

inline absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view ToStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace fluxcpp::kube
