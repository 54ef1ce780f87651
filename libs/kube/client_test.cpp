// Client behaviour against an in-process fake API server: request shapes,
// headers, error mapping, retries, rate limiting and watch streaming.

#include "libs/kube/client.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "libs/kube/call_deadline.h"
#include "libs/kube/errors.h"
#include "libs/kube/testing/fake_api_server.h"

namespace fluxcpp::kube {
namespace {

using testing::FakeApiServer;
using testing::RecordedRequest;

const GroupVersionKind kConfigMap{"", "v1", "ConfigMap"};
const GroupVersionKind kNamespace{"", "v1", "Namespace"};
const GroupVersionKind kGitRepository{"source.toolkit.fluxcd.io", "v1", "GitRepository"};

void AddResources(FakeApiServer& server) {
  server.AddResource("v1", "ConfigMap", "configmaps", true, false);
  server.AddResource("v1", "Namespace", "namespaces", false);
  server.AddResource("source.toolkit.fluxcd.io/v1", "GitRepository", "gitrepositories", true);
}

std::unique_ptr<Client> NewClient(const Config& config) {
  auto client = Client::Create(config);
  REQUIRE(client.ok());
  return std::move(*client);
}

void Reply(httplib::Response& res, int code, const std::string& body) {
  res.status = code;
  res.set_content(body, "application/json");
}

void ReplyStatus(httplib::Response& res, int code, const std::string& reason, const std::string& message) {
  Reply(res, code, FakeApiServer::StatusBody(code, reason, message));
}

object::Value ConfigMap(const std::string& ns, const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}, {"namespace", ns}}},
          {"data", {{"k", "v"}}}};
}

TEST_CASE("Client sends credentials, identity and content headers", "[client]") {
  FakeApiServer server;
  AddResources(server);
  server.SetHandler([](const httplib::Request& req, httplib::Response& res) {
    Reply(res, 200, object::ToJson(ConfigMap("default", "x")));
  });
  Config config = server.config();
  config.bearer_token = "t0ken";
  config.user_agent = "kube-test/1.0";
  auto client = NewClient(config);
  REQUIRE(client->Get(kConfigMap, "default", "x").ok());

  auto sa = client->Impersonate("system:serviceaccount:apps:deployer", {"system:serviceaccounts", "tenants"});
  REQUIRE(sa->Get(kConfigMap, "default", "x").ok());

  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].target == "/api/v1/namespaces/default/configmaps/x");
  CHECK(requests[0].Header("Authorization") == "Bearer t0ken");
  CHECK(requests[0].Header("Accept") == "application/json");
  CHECK(requests[0].Header("User-Agent") == "kube-test/1.0");
  CHECK(requests[0].headers.count("Impersonate-User") == 0);
  CHECK(requests[1].Header("Authorization") == "Bearer t0ken");
  CHECK(requests[1].Header("Impersonate-User") == "system:serviceaccount:apps:deployer");
  std::vector<std::string> groups;
  auto range = requests[1].headers.equal_range("Impersonate-Group");
  for (auto it = range.first; it != range.second; ++it) groups.push_back(it->second);
  CHECK(groups == std::vector<std::string>{"system:serviceaccounts", "tenants"});
  // Discovery ran once, shared by the impersonating client, as the base identity.
  auto all = server.requests(/*with_discovery=*/true);
  int discovery = 0;
  for (const auto& r : all) {
    if (r.path == "/api/v1") {
      ++discovery;
      CHECK(r.headers.count("Impersonate-User") == 0);
    }
  }
  CHECK(discovery == 1);

  Config basic = server.config();
  basic.username = "alice";
  basic.password = "secret";
  server.ClearRequests();
  REQUIRE(NewClient(basic)->Get(kConfigMap, "default", "x").ok());
  CHECK(server.requests()[0].Header("Authorization") == "Basic YWxpY2U6c2VjcmV0");
}

TEST_CASE("Client maps API errors", "[client][errors]") {
  FakeApiServer server;
  AddResources(server);
  server.SetHandler([](const httplib::Request& req, httplib::Response& res) {
    const std::string& p = req.path;
    if (absl::EndsWith(p, "/missing")) return ReplyStatus(res, 404, "NotFound", "configmaps \"missing\" not found");
    if (req.method == "POST") return ReplyStatus(res, 409, "AlreadyExists", "configmaps \"x\" already exists");
    if (req.method == "PUT") {
      return ReplyStatus(res, 409, "Conflict",
                         "Operation cannot be fulfilled on configmaps \"x\": the object has been modified");
    }
    if (absl::EndsWith(p, "/gone")) return ReplyStatus(res, 410, "Gone", "gone");
    if (absl::EndsWith(p, "/invalid")) return ReplyStatus(res, 422, "Invalid", "ConfigMap \"invalid\" is invalid");
    if (absl::EndsWith(p, "/forbidden")) return ReplyStatus(res, 403, "Forbidden", "forbidden: no");
    if (absl::EndsWith(p, "/unauthorized")) return ReplyStatus(res, 401, "Unauthorized", "Unauthorized");
    if (absl::EndsWith(p, "/bad")) return ReplyStatus(res, 400, "BadRequest", "bad");
    if (absl::EndsWith(p, "/html")) {
      res.status = 404;
      res.set_content("<html>nope</html>", "text/html");
      return;
    }
    Reply(res, 200, object::ToJson(ConfigMap("default", "x")));
  });
  auto client = NewClient(server.config());

  auto missing = client->Get(kConfigMap, "default", "missing");
  CHECK(absl::IsNotFound(missing.status()));
  CHECK(missing.status().message() == "configmaps \"missing\" not found");
  CHECK(ReasonOf(missing.status()) == "NotFound");

  auto exists = client->Create(ConfigMap("default", "x"));
  CHECK(absl::IsAlreadyExists(exists.status()));
  CHECK(ReasonOf(exists.status()) == "AlreadyExists");

  auto conflict = client->Update(ConfigMap("default", "x"));
  CHECK(absl::IsAborted(conflict.status()));
  CHECK(ReasonOf(conflict.status()) == "Conflict");

  CHECK(absl::IsOutOfRange(client->Get(kConfigMap, "default", "gone").status()));
  auto invalid = client->Get(kConfigMap, "default", "invalid");
  CHECK(absl::IsInvalidArgument(invalid.status()));
  CHECK(ReasonOf(invalid.status()) == "Invalid");
  CHECK(absl::IsInvalidArgument(client->Get(kConfigMap, "default", "bad").status()));
  CHECK(absl::IsPermissionDenied(client->Get(kConfigMap, "default", "forbidden").status()));
  CHECK(absl::IsUnauthenticated(client->Get(kConfigMap, "default", "unauthorized").status()));
  auto html = client->Get(kConfigMap, "default", "html");
  CHECK(absl::IsNotFound(html.status()));
  CHECK(ReasonOf(html.status()) == "NotFound");

  absl::Status deleted = client->Delete(kConfigMap, "default", "missing");
  CHECK(absl::IsNotFound(deleted));

  auto unknown = client->Get({"", "v1", "Secret"}, "default", "x");
  CHECK(absl::IsNotFound(unknown.status()));
  CHECK(unknown.status().message() == "no matches for kind \"Secret\" in version \"v1\"");

  CHECK(absl::IsInvalidArgument(client->Get(kConfigMap, "", "x").status()));
  CHECK(absl::IsInvalidArgument(client->Create(ConfigMap("", "x")).status()));
}

TEST_CASE("Client retries 429 honouring Retry-After, and 5xx for safe verbs", "[client][retry]") {
  FakeApiServer server;
  AddResources(server);
  std::atomic<int> calls{0};
  std::atomic<int> fail_first{1};
  std::atomic<int> code{429};
  server.SetHandler([&](const httplib::Request& req, httplib::Response& res) {
    if (calls++ < fail_first) {
      if (code == 429) res.set_header("Retry-After", "1");
      return ReplyStatus(res, code, code == 429 ? "TooManyRequests" : "ServiceUnavailable", "busy");
    }
    Reply(res, req.method == "POST" ? 201 : 200, object::ToJson(ConfigMap("default", "x")));
  });
  auto client = NewClient(server.config());

  SECTION("429 then 200") {
    absl::Time start = absl::Now();
    auto got = client->Get(kConfigMap, "default", "x");
    REQUIRE(got.ok());
    CHECK(calls == 2);
    CHECK(absl::Now() - start >= absl::Milliseconds(950));  // Retry-After: 1
  }
  SECTION("POST is retried on 429") {
    REQUIRE(client->Create(ConfigMap("default", "x")).ok());
    CHECK(calls == 2);
  }
  SECTION("503 then 200 for GET") {
    code = 503;
    fail_first = 2;
    REQUIRE(client->Get(kConfigMap, "default", "x").ok());
    CHECK(calls == 3);
  }
  SECTION("persistent 503 gives Unavailable after 5 tries") {
    code = 503;
    fail_first = 100;
    auto got = client->Get(kConfigMap, "default", "x");
    CHECK(absl::IsUnavailable(got.status()));
    CHECK(ReasonOf(got.status()) == "ServiceUnavailable");
    CHECK(calls == 5);
  }
  SECTION("POST and JSON patch are not retried on 503") {
    code = 503;
    fail_first = 100;
    CHECK(absl::IsUnavailable(client->Create(ConfigMap("default", "x")).status()));
    CHECK(calls == 1);
    auto patch = object::Value::array({{{"op", "add"}, {"path", "/data/a"}, {"value", "b"}}});
    CHECK(absl::IsUnavailable(client->Patch(kConfigMap, "default", "x", PatchType::kJson, patch).status()));
    CHECK(calls == 2);
  }
  SECTION("merge patch is retried on 503") {
    code = 503;
    fail_first = 1;
    object::Value patch = {{"data", {{"a", "b"}}}};
    REQUIRE(client->Patch(kConfigMap, "default", "x", PatchType::kMerge, patch).ok());
    CHECK(calls == 2);
  }
}

TEST_CASE("Client reports an unreachable server as Unavailable", "[client][retry]") {
  int port = 0;
  {
    FakeApiServer server;
    port = server.port();
  }
  Config config;
  config.server = "http://127.0.0.1:" + std::to_string(port);
  auto client = NewClient(config);
  auto got = client->RawGet("/version");
  CHECK(absl::IsUnavailable(got.status()));
  CHECK(absl::StrContains(got.status().message(), "connection failed"));
}

TEST_CASE("Client request shapes for every verb", "[client]") {
  FakeApiServer server;
  AddResources(server);
  server.SetHandler([](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "GET" && req.path == "/api/v1/namespaces/apps/configmaps") {
      return Reply(res, 200, R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"42",)"
                             R"("continue":"next"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})");
    }
    if (req.method == "DELETE") return Reply(res, 200, R"({"kind":"Status","status":"Success"})");
    Reply(res, req.method == "POST" ? 201 : 200, req.body.empty() ? "{}" : req.body);
  });
  auto client = NewClient(server.config());

  ListOptions list_opts;
  list_opts.label_selector = "app=web,tier!=db";
  list_opts.field_selector = "metadata.name=a";
  list_opts.limit = 500;
  list_opts.continue_token = "abc=";
  auto list = client->List(kConfigMap, "apps", list_opts);
  REQUIRE(list.ok());
  CHECK(object::GetString(*list, {"metadata", "resourceVersion"}) == "42");
  REQUIRE((*list)["items"].size() == 2);
  CHECK((*list)["items"][0]["apiVersion"] == "v1");
  CHECK((*list)["items"][0]["kind"] == "ConfigMap");

  object::Value cm = ConfigMap("apps", "a");
  REQUIRE(client->Create(cm, {.field_manager = "flux", .dry_run = true}).ok());
  cm["metadata"]["resourceVersion"] = "7";
  REQUIRE(client->Update(cm).ok());
  object::Value repo = {{"apiVersion", "source.toolkit.fluxcd.io/v1"},
                        {"kind", "GitRepository"},
                        {"metadata", {{"name", "podinfo"}, {"namespace", "flux-system"}}},
                        {"status", {{"observedGeneration", 1}}}};
  REQUIRE(client->UpdateStatus(repo).ok());
  REQUIRE(client->Patch(kConfigMap, "apps", "a", PatchType::kMerge, {{"data", {{"x", "y"}}}}).ok());
  REQUIRE(client->Patch(kConfigMap, "apps", "a", PatchType::kStrategicMerge, {{"data", nullptr}}).ok());
  REQUIRE(client
              ->Patch(kGitRepository, "flux-system", "podinfo", PatchType::kMerge,
                      {{"status", {{"observedGeneration", 2}}}}, {.field_manager = "source-controller"}, "status")
              .ok());
  REQUIRE(client->Apply(cm, {.field_manager = "kustomize-controller", .force = true}).ok());
  REQUIRE(client->ApplyStatus(repo, {.field_manager = "source-controller"}).ok());
  CHECK(absl::IsInvalidArgument(client->Apply(cm, {}).status()));
  REQUIRE(client->Delete(kNamespace, "ignored", "apps", PropagationPolicy::kForeground).ok());
  REQUIRE(client->Delete(kConfigMap, "apps", "a", PropagationPolicy::kDefault, /*dry_run=*/true).ok());
  REQUIRE(client->Delete(kConfigMap, "apps", "b").ok());

  auto r = server.requests();
  REQUIRE(r.size() == 12);
  CHECK(r[0].target ==
        "/api/v1/namespaces/apps/configmaps?continue=abc%3D&fieldSelector=metadata.name%3Da"
        "&labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=500");
  CHECK(r[0].Param("labelSelector") == "app=web,tier!=db");

  CHECK(r[1].method == "POST");
  CHECK(r[1].target == "/api/v1/namespaces/apps/configmaps?dryRun=All&fieldManager=flux");
  CHECK(r[1].Header("Content-Type") == "application/json");
  CHECK(object::ParseJson(r[1].body)->at("metadata").at("name") == "a");

  CHECK(r[2].method == "PUT");
  CHECK(r[2].target == "/api/v1/namespaces/apps/configmaps/a");
  CHECK(object::ParseJson(r[2].body)->at("metadata").at("resourceVersion") == "7");

  CHECK(r[3].method == "PUT");
  CHECK(r[3].target == "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/podinfo/status");

  CHECK(r[4].method == "PATCH");
  CHECK(r[4].Header("Content-Type") == "application/merge-patch+json");
  CHECK(r[4].body == R"({"data":{"x":"y"}})");
  CHECK(r[5].Header("Content-Type") == "application/strategic-merge-patch+json");
  CHECK(r[5].body == R"({"data":null})");
  CHECK(r[6].target ==
        "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/podinfo/status"
        "?fieldManager=source-controller");

  CHECK(r[7].method == "PATCH");
  CHECK(r[7].Header("Content-Type") == "application/apply-patch+yaml");
  CHECK(r[7].target == "/api/v1/namespaces/apps/configmaps/a?fieldManager=kustomize-controller&force=true");
  CHECK(object::ParseJson(r[7].body)->at("data").at("k") == "v");
  CHECK(r[8].target ==
        "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/podinfo/status"
        "?fieldManager=source-controller");

  CHECK(r[9].method == "DELETE");
  CHECK(r[9].target == "/api/v1/namespaces/apps");
  CHECK(object::GetString(*object::ParseJson(r[9].body), {"propagationPolicy"}) == "Foreground");
  CHECK(r[10].target == "/api/v1/namespaces/apps/configmaps/a?dryRun=All");
  CHECK(object::ParseJson(r[10].body)->at("dryRun") == object::Value::array({"All"}));
  CHECK(r[11].body.empty());
}

TEST_CASE("Client applies the client-side rate limit", "[client][ratelimit]") {
  FakeApiServer server;
  server.SetHandler([](const httplib::Request&, httplib::Response& res) { Reply(res, 200, "{}"); });
  Config config = server.config();
  config.qps = 20;
  config.burst = 1;
  auto client = NewClient(config);
  absl::Time start = absl::Now();
  for (int i = 0; i < 5; ++i) REQUIRE(client->RawGet("/version").ok());
  CHECK(absl::Now() - start >= absl::Milliseconds(190));
}

TEST_CASE("Client is safe to share between threads", "[client]") {
  FakeApiServer server;
  AddResources(server);
  server.SetHandler([](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.path.substr(req.path.rfind('/') + 1);
    Reply(res, 200, object::ToJson(ConfigMap("default", name)));
  });
  auto client = NewClient(server.config());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string name = "cm-" + std::to_string(t) + "-" + std::to_string(i);
        auto got = client->Get(kConfigMap, "default", name);
        if (got.ok() && object::GetString(*got, {"metadata", "name"}) == name) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 200);
}

// --- watch ---------------------------------------------------------------

std::string Event(const std::string& type, const std::string& name, const std::string& rv) {
  object::Value e = {{"type", type},
                     {"object", {{"metadata", {{"name", name}, {"namespace", "default"}, {"resourceVersion", rv}}}}}};
  return object::ToJson(e) + "\n";
}

// Serves `chunks` as a chunked response, pausing between them.
void StreamChunks(httplib::Response& res, std::vector<std::string> chunks, FakeApiServer& server,
                  bool then_hang = false) {
  res.set_chunked_content_provider("application/json", [chunks, &server, then_hang](size_t, httplib::DataSink& sink) {
    for (const auto& c : chunks) {
      if (!sink.write(c.data(), c.size())) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    while (then_hang && !server.stopping() && sink.is_writable()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    sink.done();
    return true;
  });
}

TEST_CASE("Watch streams events split across chunks", "[client][watch]") {
  FakeApiServer server;
  AddResources(server);
  std::string all = Event("ADDED", "a", "10") + Event("MODIFIED", "a", "11") + Event("BOOKMARK", "", "12") +
                    Event("DELETED", "a", "13");
  // Cut the stream at awkward places: inside a key, right before a newline, ...
  std::vector<std::string> chunks = {all.substr(0, 3), all.substr(3, 60), all.substr(63, 1), all.substr(64)};
  server.SetHandler([&](const httplib::Request& req, httplib::Response& res) { StreamChunks(res, chunks, server); });
  auto client = NewClient(server.config());

  std::vector<std::string> seen;
  WatchOptions opts;
  opts.resource_version = "9";
  opts.label_selector = "app=web";
  opts.timeout_seconds = 60;
  absl::Status s = client->Watch(kConfigMap, "default", opts, [&](const WatchEvent& e) {
    seen.push_back(e.type + "@" + object::GetString(e.object, {"metadata", "resourceVersion"}));
    CHECK(e.object["kind"] == "ConfigMap");  // filled in
    return true;
  }, nullptr);
  REQUIRE(s.ok());
  CHECK(seen == std::vector<std::string>{"ADDED@10", "MODIFIED@11", "BOOKMARK@12", "DELETED@13"});
  auto r = server.requests();
  REQUIRE(r.size() == 1);
  CHECK(r[0].target ==
        "/api/v1/namespaces/default/configmaps?allowWatchBookmarks=true&labelSelector=app%3Dweb"
        "&resourceVersion=9&timeoutSeconds=60&watch=true");
}

TEST_CASE("Watch returns OutOfRange on 410", "[client][watch]") {
  FakeApiServer server;
  AddResources(server);
  std::atomic<bool> as_http{false};
  server.SetHandler([&](const httplib::Request&, httplib::Response& res) {
    if (as_http) return ReplyStatus(res, 410, "Gone", "too old");
    object::Value err = {{"type", "ERROR"},
                         {"object", object::ParseJson(FakeApiServer::StatusBody(
                                        410, "Expired", "too old resource version: 1 (50)"))
                                        .value()}};
    StreamChunks(res, {Event("ADDED", "a", "51"), object::ToJson(err) + "\n", Event("ADDED", "b", "52")}, server);
  });
  auto client = NewClient(server.config());
  int events = 0;
  auto count = [&](const WatchEvent&) {
    ++events;
    return true;
  };
  absl::Status s = client->Watch(kConfigMap, "", {.resource_version = "1"}, count, nullptr);
  CHECK(absl::IsOutOfRange(s));
  CHECK(ReasonOf(s) == "Expired");
  CHECK(events == 1);
  CHECK(server.requests()[0].path == "/api/v1/configmaps");  // all namespaces

  as_http = true;
  CHECK(absl::IsOutOfRange(client->Watch(kConfigMap, "", {.resource_version = "1"}, count, nullptr)));
}

TEST_CASE("Watch stops promptly on a silent stream", "[client][watch]") {
  FakeApiServer server;
  AddResources(server);
  server.SetHandler([&](const httplib::Request&, httplib::Response& res) {
    StreamChunks(res, {Event("ADDED", "a", "5")}, server, /*then_hang=*/true);
  });
  auto client = NewClient(server.config());
  StopToken stop;
  std::atomic<int> events{0};
  absl::Status result = absl::UnknownError("not finished");
  std::thread watcher([&] {
    result = client->Watch(kConfigMap, "default", {}, [&](const WatchEvent&) {
      ++events;
      return true;
    }, &stop);
  });
  while (events == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  absl::Time stopped_at = absl::Now();
  stop.Stop();
  watcher.join();
  CHECK(absl::Now() - stopped_at < absl::Milliseconds(500));
  CHECK(result.ok());
}

TEST_CASE("Watch ends when the consumer returns false", "[client][watch]") {
  FakeApiServer server;
  AddResources(server);
  server.SetHandler([&](const httplib::Request&, httplib::Response& res) {
    StreamChunks(res, {Event("ADDED", "a", "5"), Event("ADDED", "b", "6")}, server, /*then_hang=*/true);
  });
  auto client = NewClient(server.config());
  int events = 0;
  absl::Status s = client->Watch(kConfigMap, "default", {}, [&](const WatchEvent&) { return ++events < 2; }, nullptr);
  CHECK(s.ok());
  CHECK(events == 2);
}

TEST_CASE("Watch resumes from the last resourceVersion after an idle timeout", "[client][watch]") {
  FakeApiServer server;
  AddResources(server);
  std::atomic<int> connections{0};
  server.SetHandler([&](const httplib::Request& req, httplib::Response& res) {
    if (connections++ == 0) {
      // An event, then silence past the client's idle timeout.
      StreamChunks(res, {Event("ADDED", "a", "5")}, server, /*then_hang=*/true);
    } else {
      StreamChunks(res, {Event("DELETED", "a", "6")}, server);
    }
  });
  auto client = NewClient(server.config());
  std::vector<std::string> seen;
  WatchOptions opts;
  opts.idle_timeout_seconds = 1;
  absl::Status s = client->Watch(kConfigMap, "default", opts, [&](const WatchEvent& e) {
    seen.push_back(e.type);
    return true;
  }, nullptr);
  REQUIRE(s.ok());
  CHECK(seen == std::vector<std::string>{"ADDED", "DELETED"});
  auto r = server.requests();
  REQUIRE(r.size() == 2);
  CHECK(r[0].Param("resourceVersion").empty());
  CHECK(r[1].Param("resourceVersion") == "5");
}

TEST_CASE("Watch maps an HTTP error at the start", "[client][watch]") {
  FakeApiServer server;
  AddResources(server);
  server.SetHandler([](const httplib::Request&, httplib::Response& res) {
    ReplyStatus(res, 403, "Forbidden", "configmaps is forbidden: User \"x\" cannot watch");
  });
  auto client = NewClient(server.config());
  absl::Status s = client->Watch(kConfigMap, "default", {}, [](const WatchEvent&) { return true; }, nullptr);
  CHECK(absl::IsPermissionDenied(s));
  CHECK(s.message() == "configmaps is forbidden: User \"x\" cannot watch");
}

}  // namespace
}  // namespace fluxcpp::kube

namespace fluxcpp::kube {
namespace {

TEST_CASE("A call deadline bounds slow responses and retries", "[client][deadline]") {
  FakeApiServer server;
  AddResources(server);
  std::atomic<int> calls{0};
  std::atomic<bool> slow{true};
  server.SetHandler([&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    if (slow) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    } else {
      res.set_header("Retry-After", "1");
      return ReplyStatus(res, 429, "TooManyRequests", "busy");
    }
    Reply(res, 200, object::ToJson(ConfigMap("default", "x")));
  });
  auto client = NewClient(server.config());
  REQUIRE(client->Mapping(kConfigMap).ok());  // discovery outside the deadline

  SECTION("a slow response") {
    absl::Time start = absl::Now();
    absl::StatusOr<object::Value> got;
    {
      ScopedCallDeadline bound(absl::Now() + absl::Milliseconds(300));
      got = client->Get(kConfigMap, "default", "x");
    }
    CHECK(absl::IsDeadlineExceeded(got.status()));
    CHECK(absl::Now() - start < absl::Milliseconds(1200));
    CHECK(CurrentCallDeadline() == absl::InfiniteFuture());
  }
  SECTION("a retry that would outlive the deadline is not attempted") {
    slow = false;
    absl::Time start = absl::Now();
    ScopedCallDeadline bound(absl::Now() + absl::Milliseconds(500));
    auto got = client->Get(kConfigMap, "default", "x");
    CHECK(absl::IsDeadlineExceeded(got.status()));
    CHECK(calls == 1);  // Retry-After 1s does not fit
    CHECK(absl::Now() - start < absl::Milliseconds(400));
  }
  SECTION("scopes nest: the earliest deadline wins") {
    ScopedCallDeadline outer(absl::Now() + absl::Milliseconds(200));
    absl::Time inner_deadline;
    {
      ScopedCallDeadline inner(absl::Now() + absl::Seconds(10));
      inner_deadline = CurrentCallDeadline();
    }
    CHECK(inner_deadline < absl::Now() + absl::Seconds(1));
  }
}

}  // namespace
}  // namespace fluxcpp::kube
