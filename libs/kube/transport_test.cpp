// Transport over libs/http against plain cpp-httplib servers: connection
// reuse, the Host header and path prefix, a pooled connection the server
// closed, and the shape of connection errors.

#include "libs/kube/transport.h"

#include <httplib.h>

#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/time/clock.h"

namespace fluxcpp::kube {
namespace {

// A cpp-httplib server on `host` recording each request's path, Host header
// and client port.
class Recorder {
 public:
  explicit Recorder(const std::string& host = "127.0.0.1", int keep_alive_seconds = 5) {
    server_.set_keep_alive_timeout(keep_alive_seconds);
    server_.set_keep_alive_max_count(1000);
    auto record = [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        paths_.push_back(req.method + " " + req.path);
        hosts_.insert(req.get_header_value("Host"));
        ports_.insert(req.remote_port);
      }
      res.set_content("{\"ok\":true}", "application/json");
    };
    server_.Get(".*", record);
    server_.Post(".*", record);
    port_ = server_.bind_to_any_port(host);
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Recorder() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> paths() {
    std::lock_guard<std::mutex> lock(mu_);
    return paths_;
  }
  std::set<std::string> hosts() {
    std::lock_guard<std::mutex> lock(mu_);
    return hosts_;
  }
  size_t connections() {
    std::lock_guard<std::mutex> lock(mu_);
    return ports_.size();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> paths_;
  std::set<std::string> hosts_;
  std::set<int> ports_;
};

std::shared_ptr<Transport> NewTransport(const std::string& server) {
  Config config;
  config.server = server;
  auto t = Transport::Create(config);
  REQUIRE(t.ok());
  return *t;
}

TEST_CASE("Transport reuses one keep-alive connection and sends Host and the path prefix", "[transport]") {
  Recorder server;
  auto t = NewTransport("http://127.0.0.1:" + std::to_string(server.port()) + "/k8s/clusters/c-1/");
  for (int i = 0; i < 5; ++i) {
    auto r = t->Do(HttpRequest{"GET", "/api/v1/namespaces?limit=" + std::to_string(i), "", ""}, {});
    REQUIRE(r.ok());
    CHECK(*r == "{\"ok\":true}");
  }
  CHECK(server.connections() == 1);
  CHECK(server.paths().back() == "GET /k8s/clusters/c-1/api/v1/namespaces");
  CHECK(server.hosts() == std::set<std::string>{"127.0.0.1:" + std::to_string(server.port())});
}

TEST_CASE("Transport brackets IPv6 hosts", "[transport]") {
  Recorder server("::1");
  if (server.port() <= 0) {
    WARN("no IPv6 loopback; skipping");
    return;
  }
  auto t = NewTransport("http://[::1]:" + std::to_string(server.port()));
  REQUIRE(t->Do(HttpRequest{"GET", "/version", "", ""}, {}).ok());
  CHECK(server.hosts() == std::set<std::string>{"[::1]:" + std::to_string(server.port())});
}

TEST_CASE("Transport never sends into a pooled connection the server closed", "[transport]") {
  Recorder server("127.0.0.1", /*keep_alive_seconds=*/1);
  auto t = NewTransport("http://127.0.0.1:" + std::to_string(server.port()));
  REQUIRE(t->Do(HttpRequest{"POST", "/api/v1/namespaces", "{}", "application/json"}, {}).ok());
  // The server drops the idle connection after 1s; ours would keep it 3s.
  absl::SleepFor(absl::Milliseconds(1600));
  // A POST is not retried after a lost response: it must go out on a fresh
  // connection the first time, and reach the server exactly once.
  REQUIRE(t->Do(HttpRequest{"POST", "/api/v1/namespaces", "{}", "application/json"}, {}).ok());
  CHECK(server.paths().size() == 2);
  CHECK(server.connections() == 2);
}

TEST_CASE("Transport names the request and the failure when it cannot connect", "[transport]") {
  int port;
  {
    Recorder gone;
    port = gone.port();
  }
  auto t = NewTransport("http://127.0.0.1:" + std::to_string(port));
  RetryPolicy once;
  once.max_attempts = 1;
  t->set_retry_policy(once);
  auto r = t->Do(HttpRequest{"GET", "/api/v1/pods", "", ""}, {});
  CHECK(absl::IsUnavailable(r.status()));
  CHECK(absl::StartsWith(r.status().message(),
                         "GET http://127.0.0.1:" + std::to_string(port) + "/api/v1/pods: connection failed"));
}

}  // namespace
}  // namespace fluxcpp::kube
