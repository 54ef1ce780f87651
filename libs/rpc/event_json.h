#pragma once
// Flux's HTTP JSON form of an event (what controllers POST to
// notification-controller's --events-addr), for compatibility with Flux and
// third-party emitters.

#include <string>

#include "absl/status/statusor.h"
#include "libs/rpc/types.h"

namespace fluxcpp::rpc {

std::string EventToJson(const EventMessage& event);
// InvalidArgument naming the missing field when involvedObject, severity,
// message or reason is absent.
absl::StatusOr<EventMessage> EventFromJson(std::string_view json);

}  // namespace fluxcpp::rpc
