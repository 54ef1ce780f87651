#include "libs/kube/testing/fake_api_server.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/object/value.h"

namespace fluxcpp::kube::testing {

std::string RecordedRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string RecordedRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

FakeApiServer::FakeApiServer() {
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res); };
  server_.Get(".*", dispatch);
  server_.Post(".*", dispatch);
  server_.Put(".*", dispatch);
  server_.Patch(".*", dispatch);
  server_.Delete(".*", dispatch);
  // Without TCP_NODELAY a keep-alive response (headers and body written
  // separately) stalls ~40ms on Nagle's algorithm and delayed ACKs.
  server_.set_tcp_nodelay(true);
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeApiServer::~FakeApiServer() {
  stopping_ = true;
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeApiServer::url() const { return absl::StrCat("http://127.0.0.1:", port_); }

Config FakeApiServer::config() const {
  Config config;
  config.server = url();
  config.qps = 0;
  return config;
}

void FakeApiServer::AddResource(const std::string& api_version, const std::string& kind, const std::string& plural,
                                bool namespaced, bool has_status) {
  object::Value r = {{"name", plural}, {"singularName", ""}, {"namespaced", namespaced}, {"kind", kind},
                     {"verbs", {"create", "delete", "get", "list", "patch", "update", "watch"}}};
  std::lock_guard<std::mutex> lock(mu_);
  auto& list = discovery_[api_version];
  list.push_back(object::ToJson(r));
  if (has_status) {
    object::Value s = {{"name", plural + "/status"}, {"singularName", ""}, {"namespaced", namespaced},
                       {"kind", kind}, {"verbs", {"get", "patch", "update"}}};
    list.push_back(object::ToJson(s));
  }
}

void FakeApiServer::SetHandler(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

std::vector<RecordedRequest> FakeApiServer::requests(bool with_discovery) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RecordedRequest> out;
  for (const auto& [r, discovery] : requests_) {
    if (with_discovery || !discovery) out.push_back(r);
  }
  return out;
}

void FakeApiServer::ClearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
}

std::string FakeApiServer::StatusBody(int code, const std::string& reason, const std::string& message) {
  object::Value status = {{"kind", "Status"},     {"apiVersion", "v1"}, {"metadata", object::Value::object()},
                          {"status", "Failure"}, {"message", message}, {"reason", reason},
                          {"code", code}};
  return object::ToJson(status);
}

void FakeApiServer::Dispatch(const httplib::Request& req, httplib::Response& res) {
  RecordedRequest rec{req.method, req.path, req.target, req.headers, req.params, req.body};
  // Discovery: /api/v1 and /apis/<group>/<version>.
  std::string gv;
  if (req.method == "GET") {
    const std::string& p = req.path;
    if (p.rfind("/apis/", 0) == 0 && std::count(p.begin() + 6, p.end(), '/') == 1) {
      gv = p.substr(6);
    } else if (p.rfind("/api/", 0) == 0 && p.find('/', 5) == std::string::npos) {
      gv = p.substr(5);
    }
  }
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = gv.empty() ? discovery_.end() : discovery_.find(gv);
    requests_.emplace_back(rec, it != discovery_.end());
    if (it != discovery_.end()) {
      std::string body = absl::StrCat(R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":")", gv,
                                      R"(","resources":[)", absl::StrJoin(it->second, ","), "]}");
      res.set_content(body, "application/json");
      return;
    }
    handler = handler_;
  }
  if (handler) {
    handler(req, res);
    return;
  }
  res.status = 404;
  res.set_content(StatusBody(404, "NotFound", "the server could not find the requested resource"),
                  "application/json");
}

}  // namespace fluxcpp::kube::testing
