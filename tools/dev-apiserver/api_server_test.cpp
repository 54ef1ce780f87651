#include "tools/dev-apiserver/api_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tools/dev-apiserver/garbage_collector.h"

using namespace fluxcpp::devapiserver;
using fluxcpp::object::Value;

namespace {

struct Server {
  std::unique_ptr<Store> store;
  ResourceRegistry registry;
  ObjectService service;
  std::unique_ptr<ApiServer> api;
  std::thread thread;
  int port = 0;

  explicit Server(absl::Duration bookmark_interval = absl::Seconds(30), Store::Options store_options = {})
      : store(std::move(*Store::Open(store_options))), service(*store, registry) {
    REQUIRE(service.Bootstrap().ok());
    ApiServerOptions options;
    options.bookmark_interval = bookmark_interval;
    api = std::make_unique<ApiServer>(options, service);
    auto bound = api->Bind();
    REQUIRE(bound.ok());
    port = *bound;
    thread = std::thread([this] { (void)api->Serve(); });
  }
  ~Server() {
    api->Stop();
    thread.join();
  }
  httplib::Client Client() const { return httplib::Client("127.0.0.1", port); }
};

// A raw HTTP/1.1 connection, so tests can hold many watches open cheaply.
class RawConn {
 public:
  RawConn(int port, const std::string& target) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    std::string req = absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n");
    REQUIRE(send(fd_, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size()));
  }
  ~RawConn() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  // Reads until `needle` appears or the timeout passes.
  bool WaitFor(const std::string& needle, int timeout_ms = 3000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (data_.find(needle) == std::string::npos) {
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return data_.find(needle) != std::string::npos;
      data_.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  const std::string& data() const { return data_; }

 private:
  int fd_ = -1;
  std::string data_;
};

bool Eventually(const std::function<bool()>& cond, int timeout_ms = 5000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

void CreateCm(httplib::Client& c, const std::string& name, const std::string& ns = "default") {
  auto res = c.Post(absl::StrCat("/api/v1/namespaces/", ns, "/configmaps").c_str(),
                    absl::StrCat(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")", name, R"("}})"),
                    "application/json");
  REQUIRE(res);
  REQUIRE(res->status == 201);
}

}  // namespace

TEST_CASE("discovery documents") {
  Server s;
  auto c = s.Client();
  auto version = c.Get("/version");
  REQUIRE(version);
  CHECK(Value::parse(version->body)["gitVersion"] == "v1.32.0-fluxcpp");
  // kubectl first asks for aggregated discovery; plain documents come back.
  httplib::Headers aggregated = {
      {"Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"}};
  auto apis = c.Get("/apis", aggregated);
  REQUIRE(apis);
  CHECK(apis->get_header_value("Content-Type") == "application/json");
  Value groups = Value::parse(apis->body);
  CHECK(groups["kind"] == "APIGroupList");
  CHECK(groups["groups"][0]["name"] == "apiextensions.k8s.io");
  Value core = Value::parse(c.Get("/api/v1")->body);
  bool has_ns_status = false;
  for (const Value& r : core["resources"]) has_ns_status |= r["name"] == "namespaces/status";
  CHECK(has_ns_status);
  CHECK(Value::parse(c.Get("/api")->body)["versions"][0] == "v1");
  CHECK(c.Get("/apis/nope/v1")->status == 404);
  Value openapi = Value::parse(c.Get("/openapi/v3")->body);
  std::string url = openapi["paths"]["apis/apps/v1"]["serverRelativeURL"];
  Value apps = Value::parse(c.Get(url.c_str())->body);
  CHECK(apps["paths"].contains("/apis/apps/v1/namespaces/{namespace}/deployments/{name}"));
  CHECK(c.Get("/apis/apps/v1/namespaces/default/nothings")->status == 404);
}

TEST_CASE("tables for kubectl get") {
  Server s;
  auto c = s.Client();
  CreateCm(c, "a");
  httplib::Headers table = {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}};
  Value t = Value::parse(c.Get("/api/v1/namespaces/default/configmaps", table)->body);
  CHECK(t["kind"] == "Table");
  CHECK(t["columnDefinitions"][1]["name"] == "Data");
  CHECK(t["rows"][0]["cells"][0] == "a");
  CHECK(t["rows"][0]["object"]["kind"] == "PartialObjectMetadata");
  Value one = Value::parse(c.Get("/api/v1/namespaces/default/configmaps/a", table)->body);
  CHECK(one["rows"].size() == 1);
}

TEST_CASE("watch streams events and frees the watcher on disconnect") {
  Server s;
  auto c = s.Client();
  {
    RawConn watch(s.port, "/api/v1/namespaces/default/configmaps?watch=true");
    REQUIRE(Eventually([&] { return s.store->WatcherCount() == 1; }));
    CreateCm(c, "w1");
    CHECK(watch.WaitFor(R"({"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap")"));
    CHECK(watch.data().find("Transfer-Encoding: chunked") != std::string::npos);
    watch.Close();
    CHECK(Eventually([&] { return s.store->WatcherCount() == 0 && s.api->ActiveWatches() == 0; }));
  }
}

TEST_CASE("hundreds of concurrent watches") {
  Server s;
  auto c = s.Client();
  std::vector<std::unique_ptr<RawConn>> watches;
  for (int i = 0; i < 300; ++i) {
    watches.push_back(std::make_unique<RawConn>(s.port, "/api/v1/configmaps?watch=1&resourceVersion=0"));
  }
  REQUIRE(Eventually([&] { return s.store->WatcherCount() == 300; }, 10000));
  // Ordinary requests are still served promptly.
  auto start = std::chrono::steady_clock::now();
  CreateCm(c, "fanout");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  for (auto& w : watches) CHECK(w->WaitFor("\"name\":\"fanout\""));
  watches.clear();
  CHECK(Eventually([&] { return s.store->WatcherCount() == 0; }, 10000));
}

TEST_CASE("watch resume, expiry, bookmarks and timeouts") {
  Server s(absl::Milliseconds(200));
  auto c = s.Client();
  CreateCm(c, "a");
  std::string rv = Value::parse(c.Get("/api/v1/namespaces/default/configmaps")->body)["metadata"]["resourceVersion"];
  CreateCm(c, "b");
  RawConn resume(s.port, "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=" + rv +
                             "&allowWatchBookmarks=true&timeoutSeconds=2");
  CHECK(resume.WaitFor("\"name\":\"b\""));
  CHECK(resume.data().find("\"name\":\"a\"") == std::string::npos);
  CHECK(resume.WaitFor(R"({"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion")"));
  CHECK(resume.WaitFor("0\r\n\r\n", 4000));  // the stream ends at timeoutSeconds
  // Label selectors filter watch events.
  RawConn selected(s.port, "/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3Dx");
  REQUIRE(Eventually([&] { return s.store->WatcherCount() == 1; }));
  CreateCm(c, "unlabelled");
  auto res = c.Patch("/api/v1/namespaces/default/configmaps/unlabelled", R"({"metadata":{"labels":{"app":"x"}}})",
                     "application/merge-patch+json");
  REQUIRE(res->status == 200);
  CHECK(selected.WaitFor(R"({"type":"ADDED")"));
  CHECK(selected.data().find("\"name\":\"a\"") == std::string::npos);
}

TEST_CASE("watch from an expired revision gets a 410 ERROR event") {
  Store::Options options;
  options.history_limit = 2;
  Server s(absl::Seconds(30), options);
  auto c = s.Client();
  for (int i = 0; i < 3; ++i) CreateCm(c, "x" + std::to_string(i));
  RawConn gone(s.port, "/api/v1/configmaps?watch=true&resourceVersion=2");
  CHECK(gone.WaitFor(R"("type":"ERROR")"));
  CHECK(gone.WaitFor(R"("code":410)"));
}
