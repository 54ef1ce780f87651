#pragma once
// Listen-address helpers shared by the gRPC servers.

#include <string>

namespace fluxcpp::rpc {

// ":9091" -> "0.0.0.0:9091"; "host:port" unchanged.
inline std::string NormalizeListenAddress(const std::string& address) {
  if (!address.empty() && address.front() == ':') return "0.0.0.0" + address;
  return address;
}

}  // namespace fluxcpp::rpc
