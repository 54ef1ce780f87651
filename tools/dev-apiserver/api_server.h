#pragma once
// The HTTP front of the dev-apiserver: routes Kubernetes API requests to the
// discovery documents, the ObjectService and watch streams, negotiates the
// response form (object, Table, PartialObjectMetadata) and maps errors to
// metav1.Status bodies.
//
// One thread per connection (a TaskQueue that spawns a thread per accepted
// socket), so hundreds of concurrent watches each keep their connection
// without starving other clients; keep-alive is on. Plain HTTP today; the
// transport is an httplib::Server so an httplib::SSLServer can replace it
// for --tls.
//
// Thread-safety: Bind/Serve/Stop from the owning thread (Stop from any);
// request handlers run concurrently and share only thread-safe services.

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/dev-apiserver/object_service.h"
#include "tools/dev-apiserver/request_info.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace fluxcpp::devapiserver {

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  absl::Duration max_watch_timeout = absl::Minutes(30);
  absl::Duration bookmark_interval = absl::Seconds(30);
};

class ApiServer {
 public:
  ApiServer(ApiServerOptions options, ObjectService& service);
  ~ApiServer();

  // Binds the listening socket; returns the port bound.
  absl::StatusOr<int> Bind();
  // Serves until Stop(); blocking.
  absl::Status Serve();
  void Stop();

  // Number of watch streams currently open (for tests and logs).
  int ActiveWatches() const { return active_watches_.load(); }

 private:
  void Dispatch(const httplib::Request& req, httplib::Response& res);
  // handlers_discovery.cpp: true when `req` was a discovery/health path.
  bool ServeDiscovery(const httplib::Request& req, httplib::Response& res);
  // handlers_objects.cpp
  void ServeResource(const httplib::Request& req, httplib::Response& res, const RequestInfo& info);
  void ServeScale(const httplib::Request& req, httplib::Response& res, const RequestScope& scope);
  // handlers_watch.cpp
  void ServeWatch(const httplib::Request& req, httplib::Response& res, const RequestScope& scope,
                  const RequestInfo& info);

  ApiServerOptions options_;
  ObjectService& service_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<int> active_watches_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace fluxcpp::devapiserver
