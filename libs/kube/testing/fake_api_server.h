#pragma once
// An in-process HTTP server on 127.0.0.1 for unit tests of the client: it
// serves discovery for the resources a test registers and hands every other
// request to the test's handler, recording all requests.
//
//   testing::FakeApiServer server;
//   server.AddResource("v1", "ConfigMap", "configmaps", /*namespaced=*/true);
//   server.SetHandler([](const httplib::Request& req, httplib::Response& res) {
//     res.status = 404;
//     res.set_content(testing::FakeApiServer::StatusBody(404, "NotFound", "nope"), "application/json");
//   });
//   auto client = kube::Client::Create(server.config());

#include <httplib.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "libs/kube/config.h"

namespace fluxcpp::kube::testing {

struct RecordedRequest {
  std::string method;
  std::string path;    // without the query
  std::string target;  // as sent, with the query
  httplib::Headers headers;
  httplib::Params params;
  std::string body;

  std::string Header(const std::string& name) const;
  std::string Param(const std::string& name) const;
};

class FakeApiServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  FakeApiServer();  // listening when constructed
  ~FakeApiServer();
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  int port() const { return port_; }
  std::string url() const;
  // http://127.0.0.1:<port>, no rate limit.
  Config config() const;

  // Adds `kind` to the discovery document of `api_version` ("v1", "apps/v1").
  void AddResource(const std::string& api_version, const std::string& kind, const std::string& plural,
                   bool namespaced, bool has_status = true);
  // Handles every request that is not discovery; default: 404 Status.
  void SetHandler(Handler handler);

  // Requests seen so far, discovery excluded unless `with_discovery`.
  std::vector<RecordedRequest> requests(bool with_discovery = false) const;
  void ClearRequests();

  // True once the destructor started: streaming handlers should end.
  bool stopping() const { return stopping_.load(); }

  // A metav1.Status JSON body.
  static std::string StatusBody(int code, const std::string& reason, const std::string& message);

 private:
  void Dispatch(const httplib::Request& req, httplib::Response& res);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;
  Handler handler_;
  std::map<std::string, std::vector<std::string>> discovery_;  // group/version -> resource JSON
  std::vector<std::pair<RecordedRequest, bool>> requests_;     // request, is discovery
};

}  // namespace fluxcpp::kube::testing
