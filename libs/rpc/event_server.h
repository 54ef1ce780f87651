#pragma once
// Serves EventService (gRPC) for notification-controller.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/rpc/types.h"

namespace fluxcpp::rpc {

class EventServer {
 public:
  // `handler` runs on gRPC threads, possibly concurrently; an error status is
  // returned to the sender as INVALID_ARGUMENT.
  using Handler = std::function<absl::Status(const EventMessage&)>;
  // `address` like "0.0.0.0:9091", ":9091" or "127.0.0.1:0" (ephemeral).
  static absl::StatusOr<std::unique_ptr<EventServer>> Start(const std::string& address, Handler handler);
  virtual ~EventServer() = default;
  virtual int port() const = 0;
  virtual void Shutdown() = 0;
};

}  // namespace fluxcpp::rpc
