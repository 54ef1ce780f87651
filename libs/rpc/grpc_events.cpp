// EventPublisher and EventServer. The only translation unit (with
// grpc_artifacts.cpp) that includes gRPC headers for events.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fluxcpp/v1/event.grpc.pb.h"
#include "libs/core/logger.h"
#include "libs/http/fetch.h"
#include "libs/http/url.h"
#include "libs/rpc/address.h"
#include "libs/rpc/event_json.h"
#include "libs/rpc/event_publisher.h"
#include "libs/rpc/event_server.h"

namespace fluxcpp::rpc {
namespace {

constexpr size_t kMaxQueued = 1000;
constexpr int kAttempts = 3;

void ToProto(const EventMessage& in, fluxcpp::v1::Event* out) {
  auto* ref = out->mutable_involved_object();
  ref->set_kind(in.involved_object.kind);
  ref->set_namespace_(in.involved_object.ns);
  ref->set_name(in.involved_object.name);
  ref->set_uid(in.involved_object.uid);
  ref->set_api_version(in.involved_object.api_version);
  ref->set_resource_version(in.involved_object.resource_version);
  out->set_severity(in.severity);
  out->set_timestamp(in.timestamp);
  out->set_message(in.message);
  out->set_reason(in.reason);
  for (const auto& [k, v] : in.metadata) (*out->mutable_metadata())[k] = v;
  out->set_reporting_controller(in.reporting_controller);
  out->set_reporting_instance(in.reporting_instance);
}

EventMessage FromProto(const fluxcpp::v1::Event& in) {
  EventMessage out;
  out.involved_object = {in.involved_object().kind(), in.involved_object().namespace_(),
                         in.involved_object().name(), in.involved_object().uid(),
                         in.involved_object().api_version(), in.involved_object().resource_version()};
  out.severity = in.severity();
  out.timestamp = in.timestamp();
  out.message = in.message();
  out.reason = in.reason();
  for (const auto& [k, v] : in.metadata()) out.metadata[k] = v;
  out.reporting_controller = in.reporting_controller();
  out.reporting_instance = in.reporting_instance();
  return out;
}

// Queue + delivery thread; subclasses implement one delivery attempt.
class QueuedPublisher : public EventPublisher {
 public:
  QueuedPublisher() = default;
  ~QueuedPublisher() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void Publish(EventMessage event) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.size() >= kMaxQueued) queue_.pop_front();
      queue_.push_back(std::move(event));
    }
    cv_.notify_all();
  }

  void Flush(int timeout_ms) override {
    std::unique_lock<std::mutex> lock(mu_);
    idle_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return queue_.empty() && !sending_; });
  }

 protected:
  void StartThread() { thread_ = std::thread([this] { Loop(); }); }
  virtual absl::Status DeliverOnce(const EventMessage& event) = 0;

 private:
  void Loop() {
    Logger log({{"component", "event-publisher"}});
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping with nothing left
      EventMessage event = std::move(queue_.front());
      queue_.pop_front();
      sending_ = true;
      lock.unlock();
      absl::Status status;
      for (int attempt = 0; attempt < kAttempts; ++attempt) {
        status = DeliverOnce(event);
        if (status.ok() || status.code() == absl::StatusCode::kInvalidArgument) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
      }
      if (!status.ok()) {
        log.Error("unable to send event", {{"error", std::string(status.message())},
                                           {"reason", event.reason},
                                           {"name", event.involved_object.name},
                                           {"namespace", event.involved_object.ns}});
      }
      lock.lock();
      sending_ = false;
      if (queue_.empty()) idle_cv_.notify_all();
      if (stopping_ && queue_.empty()) break;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<EventMessage> queue_;
  bool stopping_ = false;
  bool sending_ = false;
  std::thread thread_;
};

class GrpcEventPublisher : public QueuedPublisher {
 public:
  explicit GrpcEventPublisher(const std::string& target)
      : stub_(fluxcpp::v1::EventService::NewStub(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))) {
    StartThread();
  }

 protected:
  absl::Status DeliverOnce(const EventMessage& event) override {
    fluxcpp::v1::Event request;
    ToProto(event, &request);
    fluxcpp::v1::PublishEventResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Status s = stub_->Publish(&ctx, request, &response);
    if (s.ok()) return absl::OkStatus();
    if (s.error_code() == grpc::StatusCode::INVALID_ARGUMENT) return absl::InvalidArgumentError(s.error_message());
    return absl::UnavailableError(s.error_message());
  }

 private:
  std::unique_ptr<fluxcpp::v1::EventService::Stub> stub_;
};

// Flux's HTTP JSON form: one POST of the event per delivery to the URL.
class HttpEventPublisher : public QueuedPublisher {
 public:
  explicit HttpEventPublisher(std::string url) : url_(std::move(url)) { StartThread(); }

 protected:
  absl::Status DeliverOnce(const EventMessage& event) override {
    http::FetchOptions options;
    options.method = "POST";
    options.body = EventToJson(event);
    options.headers = {{"Content-Type", "application/json"}};
    options.timeout = absl::Seconds(5);  // Flux: 5 s per try
    auto head = http::Fetch(url_, options);
    if (!head.ok()) return absl::UnavailableError(head.status().message());
    if (head->status >= 400 && head->status < 500) {
      return absl::InvalidArgumentError(absl::StrCat("POST ", url_, " returned ", head->status));
    }
    if (head->status >= 300) return absl::UnavailableError(absl::StrCat("POST ", url_, " returned ", head->status));
    return absl::OkStatus();
  }

 private:
  std::string url_;
};

class EventServiceImpl final : public fluxcpp::v1::EventService::Service {
 public:
  explicit EventServiceImpl(EventServer::Handler handler) : handler_(std::move(handler)) {}
  grpc::Status Publish(grpc::ServerContext*, const fluxcpp::v1::Event* request,
                       fluxcpp::v1::PublishEventResponse*) override {
    absl::Status s = handler_(FromProto(*request));
    if (!s.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(s.message()));
    return grpc::Status::OK;
  }

 private:
  EventServer::Handler handler_;
};

class GrpcEventServer : public EventServer {
 public:
  GrpcEventServer(std::unique_ptr<EventServiceImpl> service, std::unique_ptr<grpc::Server> server, int port)
      : service_(std::move(service)), server_(std::move(server)), port_(port) {}
  ~GrpcEventServer() override { Shutdown(); }
  int port() const override { return port_; }
  void Shutdown() override {
    if (server_) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
      server_.reset();
    }
  }

 private:
  std::unique_ptr<EventServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<EventPublisher>> EventPublisher::Create(const std::string& events_addr) {
  if (absl::StartsWith(events_addr, "grpc://")) {
    return std::unique_ptr<EventPublisher>(new GrpcEventPublisher(events_addr.substr(7)));
  }
  if (absl::StartsWith(events_addr, "http://") || absl::StartsWith(events_addr, "https://")) {
    auto url = http::ParseUrl(events_addr);
    if (!url.ok()) return absl::InvalidArgumentError(absl::StrCat("--events-addr: ", url.status().message()));
    return std::unique_ptr<EventPublisher>(new HttpEventPublisher(url->String()));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--events-addr '", events_addr, "' must start with grpc://, http:// or https://"));
}

absl::StatusOr<std::unique_ptr<EventServer>> EventServer::Start(const std::string& address, Handler handler) {
  auto service = std::make_unique<EventServiceImpl>(std::move(handler));
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(NormalizeListenAddress(address), grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  return std::unique_ptr<EventServer>(new GrpcEventServer(std::move(service), std::move(server), port));
}

}  // namespace fluxcpp::rpc
