#include "libs/artifact/host_port.h"

#include "absl/strings/str_cat.h"
#include "libs/artifact/absl_compat.h"

namespace fluxcpp::artifact {

absl::StatusOr<HostPort> SplitHostPort(std::string_view address) {
  auto error = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("address ", AV(address), ": ", AV(why)));
  };
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return error("missing port in address");
  HostPort hp;
  if (!address.empty() && address.front() == '[') {
    size_t close = address.find(']');
    if (close == std::string_view::npos) return error("missing ']' in address");
    if (close + 1 != colon)
      return error(close + 1 == address.size() ? "missing port in address"
                                               : "unexpected ']' in address");
    hp.host = std::string(address.substr(1, close - 1));
  } else {
    hp.host = std::string(address.substr(0, colon));
    if (hp.host.find(':') != std::string::npos) return error("too many colons in address");
    if (hp.host.find_first_of("[]") != std::string::npos) return error("unexpected '[' in address");
  }
  hp.port = std::string(address.substr(colon + 1));
  return hp;
}

std::string JoinHostPort(std::string_view host, std::string_view port) {
  if (host.find(':') != std::string_view::npos) return absl::StrCat("[", AV(host), "]:", AV(port));
  return absl::StrCat(AV(host), ":", AV(port));
}

}  // namespace fluxcpp::artifact
