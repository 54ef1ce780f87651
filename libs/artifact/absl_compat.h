#pragma once
// Debian's Abseil has its own absl::string_view (not std::string_view); these
// adapters keep std::string_view in our APIs while calling absl::StrCat & co.

#include <string_view>

#include "absl/strings/string_view.h"

namespace fluxcpp::artifact {

inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace fluxcpp::artifact
