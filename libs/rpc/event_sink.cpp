#include "libs/rpc/event_sink.h"

namespace fluxcpp::rpc {

EventMessage ToEventMessage(const runtime::FluxEvent& e) {
  EventMessage out;
  out.involved_object = {e.involved_object.kind, e.involved_object.ns,          e.involved_object.name,
                         e.involved_object.uid,  e.involved_object.api_version, e.involved_object.resource_version};
  out.severity = e.severity;
  out.timestamp = e.timestamp;
  out.message = e.message;
  out.reason = e.reason;
  out.metadata = e.metadata;
  out.reporting_controller = e.reporting_controller;
  out.reporting_instance = e.reporting_instance;
  return out;
}

runtime::EventSink ForwardTo(EventPublisher& publisher) {
  return [&publisher](const runtime::FluxEvent& e) { publisher.Publish(ToEventMessage(e)); };
}

}  // namespace fluxcpp::rpc
