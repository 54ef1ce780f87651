#pragma once
// Delivers events to notification-controller, asynchronously.
//
// The target comes from --events-addr: "grpc://host:port" uses the gRPC
// EventService; "http://..." / "https://..." POSTs Flux's JSON form, so our
// controllers also work with Flux's notification-controller. Publish() never
// blocks the caller: events go to a bounded queue (oldest dropped when full)
// and a background thread delivers them with a few retries. Thread-safe.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/rpc/types.h"

namespace fluxcpp::rpc {

class EventPublisher {
 public:
  // InvalidArgument for an address with an unknown scheme.
  static absl::StatusOr<std::unique_ptr<EventPublisher>> Create(const std::string& events_addr);
  virtual ~EventPublisher() = default;
  virtual void Publish(EventMessage event) = 0;
  // Waits up to `timeout_ms` for queued events to be delivered.
  virtual void Flush(int timeout_ms) = 0;
};

}  // namespace fluxcpp::rpc
