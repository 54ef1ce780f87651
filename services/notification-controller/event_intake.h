#pragma once
// Where notification-controller receives events: gRPC EventService
// (--grpc-addr) and Flux's HTTP JSON POST (--events-addr), both ending in one
// handler. First cut: every accepted event is logged; Alerts/Providers
// dispatch from here later.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "libs/core/logger.h"
#include "libs/http/server.h"
#include "libs/rpc/event_server.h"
#include "libs/rpc/types.h"


namespace fluxcpp::notification {

class EventIntake {
 public:
  // Flux's limits for the HTTP intake: body <= 3 MiB (413 beyond), head
  // <= 256 KiB (431), the head within 10 s and the request within 30 s.
  static constexpr size_t kMaxEventBytes = 3 << 20;
  static constexpr size_t kMaxHeadBytes = 256 << 10;

  explicit EventIntake(Logger log);
  ~EventIntake();

  // Either address may be empty to disable that listener.
  absl::Status Start(const std::string& grpc_addr, const std::string& http_addr);
  void Stop();

  // Validates and handles one event; InvalidArgument names the missing field.
  absl::Status Handle(const rpc::EventMessage& event);

  int grpc_port() const { return grpc_ ? grpc_->port() : 0; }
  int http_port() const { return http_port_; }

 private:
  Logger log_;
  std::unique_ptr<rpc::EventServer> grpc_;
  std::unique_ptr<http::Server> http_;  // one thread
  int http_port_ = 0;
};

}  // namespace fluxcpp::notification
