#pragma once
// The HTTP front of the dev-apiserver: routes Kubernetes API requests to the
// discovery documents, the ObjectService and watch streams, negotiates the
// response form (object, Table, PartialObjectMetadata) and maps errors to
// metav1.Status bodies.
//
// One thread per connection (a TaskQueue that spawns a thread per accepted
// socket), so hundreds of concurrent watches each keep their connection
// without starving other clients; keep-alive is on. Plain HTTP, or HTTPS
// when a certificate is given (client certificates signed by `client_ca_pem`
// are requested, not required).
//
// Every request is authenticated (Authenticator; none configured = admin),
// impersonation headers are honoured for users allowed to `impersonate`,
// and the result is authorized (Authorizer; none = allow all) before any
// handler runs, so list and watch are covered like every other verb.
//
// Thread-safety: Bind/Serve/Stop from the owning thread (Stop from any);
// request handlers run concurrently and share only thread-safe services.

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/dev-apiserver/authenticator.h"
#include "tools/dev-apiserver/authorizer.h"
#include "tools/dev-apiserver/object_service.h"
#include "tools/dev-apiserver/request_info.h"
#include "tools/dev-apiserver/token_request.h"

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
  // Not owned; must outlive the server. nullptr: everyone is admin / allowed.
  const Authenticator* authenticator = nullptr;
  const Authorizer* authorizer = nullptr;
  bool rbac = false;  // for review reasons only
  // Serves serviceaccounts/<name>/token (token_request.h); not owned, may be null.
  const ServiceAccountTokens* service_account_tokens = nullptr;
  // HTTPS when both are set (PEM).
  std::string tls_cert_pem;
  std::string tls_key_pem;
  std::string client_ca_pem;  // verifies client certificates (optional)
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
  // handlers_auth.cpp: the requesting user after impersonation, or 401/403.
  absl::StatusOr<UserInfo> Authenticate(const httplib::Request& req) const;
  absl::Status Authorize(const httplib::Request& req, const UserInfo& user) const;
  // True when `info` named a review resource (answered here).
  bool ServeReview(const httplib::Request& req, httplib::Response& res, const RequestInfo& info,
                   const UserInfo& user);
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
