#pragma once
// Wires runtime::EventRecorder to notification-controller: every non-Trace
// Flux event the recorder emits is queued for delivery to --events-addr.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/rpc/event_publisher.h"
#include "libs/runtime/events.h"

namespace fluxcpp::rpc {

EventMessage ToEventMessage(const runtime::FluxEvent& event);

// A sink forwarding to `publisher`, which must outlive the sink.
runtime::EventSink ForwardTo(EventPublisher& publisher);

}  // namespace fluxcpp::rpc
