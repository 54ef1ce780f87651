#include "services/notification-controller/event_intake.h"

#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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
    http_ = std::make_unique<httplib::Server>();
    http_->Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      auto event = rpc::EventFromJson(req.body);
      absl::Status s = event.ok() ? Handle(*event) : event.status();
      if (!s.ok()) {
        res.status = 400;
        res.set_content(std::string(s.message()), "text/plain");
        return;
      }
      res.status = 202;
    });
    http_port_ = listen->port == 0 ? http_->bind_to_any_port(listen->host) : listen->port;
    if (listen->port != 0 && !http_->bind_to_port(listen->host, listen->port)) http_port_ = -1;
    if (http_port_ <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", http_addr));
    http_thread_ = std::thread([this] { http_->listen_after_bind(); });
  }
  return absl::OkStatus();
}

void EventIntake::Stop() {
  if (grpc_) {
    grpc_->Shutdown();
    grpc_.reset();
  }
  if (http_) {
    http_->stop();
    if (http_thread_.joinable()) http_thread_.join();
    http_.reset();
  }
}

}  // namespace fluxcpp::notification
