#include "services/notification-controller/event_intake.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/rpc/event_json.h"
#include "libs/runtime/options.h"

namespace fluxcpp::notification {

EventIntake::EventIntake(Logger log) : log_(std::move(log)) {}

EventIntake::~EventIntake() { Stop(); }

absl::Status EventIntake::Handle(const rpc::EventMessage& e) {
  if (e.involved_object.kind.empty() || e.involved_object.name.empty()) {
    return absl::InvalidArgumentError("event: involvedObject.kind and involvedObject.name are required");
  }
  if (e.reason.empty()) return absl::InvalidArgumentError("event: reason is required");
  if (e.severity != "info" && e.severity != "error" && e.severity != "trace") {
    return absl::InvalidArgumentError(absl::StrCat("event: severity '", e.severity, "' must be info, error or trace"));
  }
  std::string revision;
  for (const auto& [key, value] : e.metadata) {
    if (key == "revision" || absl::EndsWith(key, "/revision")) revision = value;
  }
  log_.Info("event received", {{"reason", e.reason},
                               {"severity", e.severity},
                               {"kind", e.involved_object.kind},
                               {"namespace", e.involved_object.ns},
                               {"name", e.involved_object.name},
                               {"revision", revision},
                               {"reportingController", e.reporting_controller},
                               {"message", e.message}});
  return absl::OkStatus();
}

absl::Status EventIntake::Start(const std::string& grpc_addr, const std::string& http_addr) {
  if (!grpc_addr.empty()) {
    auto server = rpc::EventServer::Start(grpc_addr, [this](const rpc::EventMessage& e) { return Handle(e); });
    if (!server.ok()) return server.status();
    grpc_ = std::move(*server);
  }
  if (!http_addr.empty()) {
    auto listen = runtime::ParseListenAddress(http_addr);
    if (!listen.ok()) return listen.status();
    http::ServerOptions options;
    options.max_body_bytes = kMaxEventBytes;
    options.max_head_bytes = kMaxHeadBytes;
    options.read_timeout = std::chrono::seconds(30);
    auto server = std::make_unique<http::Server>(options);
    auto listener = server->Listen(listen->host, listen->port);
    if (!listener.ok()) return absl::Status(listener.status().code(), absl::StrCat("--events-addr ", http_addr, ": ", listener.status().message()));
    server->HandlePost(*listener, "/", [this](const http::RequestHead&, const std::string& body) {
      auto event = rpc::EventFromJson(body);
      absl::Status s = event.ok() ? Handle(*event) : event.status();
      if (!s.ok()) return http::ServerResponse{400, "text/plain; charset=utf-8", std::string(s.message())};
      return http::ServerResponse{202, "text/plain; charset=utf-8", ""};
    });
    FLUX_RETURN_IF_ERROR(server->Start());
    http_port_ = server->port(*listener);
    http_ = std::move(server);
  }
  return absl::OkStatus();
}

void EventIntake::Stop() {
  if (grpc_) {
    grpc_->Shutdown();
    grpc_.reset();
  }
  if (http_) {
    http_->Stop();
    http_.reset();
  }
}

}  // namespace fluxcpp::notification
