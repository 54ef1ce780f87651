#pragma once
// "host:port" handling compatible with Go's net.SplitHostPort/JoinHostPort,
// used for --storage-addr style flags (":9090", "127.0.0.1:0", "[::1]:80").

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fluxcpp::artifact {

struct HostPort {
  std::string host;  // without IPv6 brackets; may be empty
  std::string port;  // as written; may be a number or, for Go, a service name
};

// Errors: kInvalidArgument ("missing port in address", "too many colons").
absl::StatusOr<HostPort> SplitHostPort(std::string_view address);
// Brackets hosts containing ':' (IPv6).
std::string JoinHostPort(std::string_view host, std::string_view port);

}  // namespace fluxcpp::artifact
