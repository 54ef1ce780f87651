#include "tools/dev-apiserver/api_server.h"

#include <httplib.h>

#include <sys/socket.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/logger.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/http_util.h"

namespace fluxcpp::devapiserver {
namespace {

// cpp-httplib listens with a backlog of 5, so bursts of connections (a
// controller starting its informers, a test opening hundreds of watches) see
// SYNs dropped and 1s retransmits. Re-listening on the bound socket raises it.
class Transport : public httplib::Server {
 public:
  bool RaiseBacklog(int backlog) {
    socket_t fd = svr_sock_;
    return fd != INVALID_SOCKET && ::listen(fd, backlog) == 0;
  }
};

// Runs every accepted connection on its own thread, so long-lived watch
// streams never wait for a pool slot. shutdown() waits for them to finish.
class ThreadPerConnection : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++active_;
    }
    std::thread([this, fn = std::move(fn)]() {
      fn();
      std::lock_guard<std::mutex> lock(mu_);
      if (--active_ == 0) cv_.notify_all();
    }).detach();
  }

  void shutdown() override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return active_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;
};

}  // namespace

void WriteError(httplib::Response& res, const absl::Status& status) {
  WriteValue(res, HttpCodeOf(status), ToStatusObject(status));
}

std::string MediaType(const std::string& content_type) {
  std::string out = content_type.substr(0, content_type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(out));
}

ResponseForm FormFromAccept(const std::string& accept) {
  // kubectl: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;..."
  if (absl::StrContains(accept, "as=Table")) return ResponseForm::kTable;
  if (absl::StrContains(accept, "as=PartialObjectMetadata")) return ResponseForm::kPartialMetadata;
  return ResponseForm::kObject;
}

ApiServer::ApiServer(ApiServerOptions options, ObjectService& service)
    : options_(std::move(options)), service_(service), http_(std::make_unique<Transport>()) {
  http_->new_task_queue = [] { return new ThreadPerConnection(); };
  http_->set_keep_alive_max_count(100000);
  http_->set_keep_alive_timeout(30);
  http_->set_read_timeout(30);
  http_->set_write_timeout(30);
  http_->set_tcp_nodelay(true);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res); };
  http_->Get(".*", handler);
  http_->Post(".*", handler);
  http_->Put(".*", handler);
  http_->Patch(".*", handler);
  http_->Delete(".*", handler);
  http_->Options(".*", handler);
  http_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    WriteError(res, InternalServerError(what));
  });
  http_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    if (Logger::level() > LogLevel::kDebug) return;
    Logger().Debug("request", {{"method", req.method},
                               {"path", req.target},
                               {"status", std::to_string(res.status)},
                               {"userAgent", req.get_header_value("User-Agent")}});
  });
}

ApiServer::~ApiServer() { Stop(); }

absl::StatusOr<int> ApiServer::Bind() {
  if (options_.port == 0) {
    int port = http_->bind_to_any_port(options_.host);
    if (port <= 0) return absl::UnavailableError(absl::StrCat("cannot bind ", options_.host));
    options_.port = port;
  } else if (!http_->bind_to_port(options_.host, options_.port)) {
    return absl::UnavailableError(absl::StrCat("cannot bind ", options_.host, ":", options_.port));
  }
  if (!static_cast<Transport*>(http_.get())->RaiseBacklog(4096)) {
    Logger().Error("could not raise the listen backlog");
  }
  return options_.port;
}

absl::Status ApiServer::Serve() {
  if (!http_->listen_after_bind() && !stopping_.load()) return absl::InternalError("HTTP server failed");
  return absl::OkStatus();
}

void ApiServer::Stop() {
  if (stopping_.exchange(true)) return;
  service_.store().CloseAllWatchers();
  http_->stop();
}

void ApiServer::Dispatch(const httplib::Request& req, httplib::Response& res) {
  try {
    if (ServeDiscovery(req, res)) return;
    auto info = ParseResourcePath(req.path);
    if (!info.has_value()) {
      WriteError(res, PathNotFoundError());
      return;
    }
    ServeResource(req, res, *info);
  } catch (const std::exception& e) {
    WriteError(res, InternalServerError(e.what()));
  }
}

}  // namespace fluxcpp::devapiserver
