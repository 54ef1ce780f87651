// Client against a real dev-apiserver process: CRUD, selectors, watch and
// resume, server-side apply, the status subresource, CRD discovery, restart.
// Skipped (with a warning) only while the dev-apiserver binary is not built.

#include <catch2/catch.hpp>

#include <cstdlib>

#include <atomic>
#include <mutex>
#include <thread>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/kube/client.h"
#include "libs/kube/testing/dev_apiserver.h"

namespace fluxcpp::kube {
namespace {

using testing::DevApiServer;

const GroupVersionKind kConfigMap{"", "v1", "ConfigMap"};
const GroupVersionKind kNamespace{"", "v1", "Namespace"};
const GroupVersionKind kCrd{"apiextensions.k8s.io", "v1", "CustomResourceDefinition"};
const GroupVersionKind kWidget{"test.fluxcpp.io", "v1", "Widget"};

// One server for the file (started on first use); tests use their own
// namespaces so they do not see each other's objects.
DevApiServer* Server() {
  static std::unique_ptr<DevApiServer> server = [] {
    auto started = DevApiServer::Start();
    if (!started.ok()) FAIL("dev-apiserver did not start: " << started.status().ToString());
    return std::move(*started);
  }();
  return server.get();
}

#define REQUIRE_DEV_APISERVER()                                                                              \
  do {                                                                                                      \
    if (!DevApiServer::Available()) {                                                                       \
      if (std::getenv("CI") != nullptr) FAIL("dev-apiserver is required under CI");                        \
      WARN("dev-apiserver not built (" << DevApiServer::BinaryPath() << "): skipping integration test");    \
      return;                                                                                               \
    }                                                                                                       \
  } while (0)

#define REQUIRE_OK(expr)                                  \
  do {                                                    \
    auto _s = (expr);                                     \
    INFO(#expr << " -> " << _s.ToString());                 \
    REQUIRE(_s.ok());                                     \
  } while (0)

std::string UniqueName(const std::string& prefix) {
  static absl::BitGen gen;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  return absl::StrCat(prefix, "-", absl::Uniform<uint32_t>(gen, 0, 1u << 30));
}

std::string NewNamespace(Client& client) {
  std::string name = UniqueName("it");
  object::Value ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
  auto created = client.Create(ns);
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  return name;
}

object::Value ConfigMap(const std::string& ns, const std::string& name, object::Value data,
                        object::Value labels = object::Value::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"data", data}};
}

TEST_CASE("dev-apiserver: version and discovery", "[integration]") {
  REQUIRE_DEV_APISERVER();
  Client& client = Server()->client();
  auto version = client.RawGet("/version");
  REQUIRE_OK(version.status());
  auto ns = client.Mapping(kNamespace);
  REQUIRE_OK(ns.status());
  CHECK(ns->resource == "namespaces");
  CHECK_FALSE(ns->namespaced);
  auto cm = client.Mapping(kConfigMap);
  REQUIRE_OK(cm.status());
  CHECK(cm->resource == "configmaps");
  CHECK(cm->namespaced);
  auto missing = client.Mapping({"", "v1", "NoSuchKind"});
  CHECK(absl::IsNotFound(missing.status()));
  CHECK(missing.status().message() == "no matches for kind \"NoSuchKind\" in version \"v1\"");
  CHECK(absl::IsNotFound(client.Mapping({"nope.example.com", "v1", "Thing"}).status()));
}

TEST_CASE("dev-apiserver: create, get, update, conflicts, delete", "[integration]") {
  REQUIRE_DEV_APISERVER();
  Client& client = Server()->client();
  std::string ns = NewNamespace(client);

  auto created = client.Create(ConfigMap(ns, "app", {{"a", "1"}}));
  REQUIRE_OK(created.status());
  CHECK(object::GetString(*created, {"metadata", "uid"}) != "");
  std::string rv1 = object::GetString(*created, {"metadata", "resourceVersion"});
  CHECK_FALSE(rv1.empty());

  auto again = client.Create(ConfigMap(ns, "app", {{"a", "1"}}));
  CHECK(absl::IsAlreadyExists(again.status()));
  CHECK(ReasonOf(again.status()) == "AlreadyExists");

  auto got = client.Get(kConfigMap, ns, "app");
  REQUIRE_OK(got.status());
  CHECK(object::GetString(*got, {"data", "a"}) == "1");

  object::Value update = *got;
  update["data"]["a"] = "2";
  auto updated = client.Update(update);
  REQUIRE_OK(updated.status());
  CHECK(object::GetString(*updated, {"data", "a"}) == "2");
  CHECK(object::GetString(*updated, {"metadata", "resourceVersion"}) != rv1);

  // Same stale resourceVersion again: optimistic concurrency says Conflict.
  update["data"]["a"] = "3";
  auto stale = client.Update(update);
  CHECK(absl::IsAborted(stale.status()));
  CHECK(ReasonOf(stale.status()) == "Conflict");

  // Patches.
  auto merged = client.Patch(kConfigMap, ns, "app", PatchType::kMerge, {{"data", {{"b", "x"}}}});
  REQUIRE_OK(merged.status());
  CHECK(object::GetString(*merged, {"data", "b"}) == "x");
  auto json_patched = client.Patch(kConfigMap, ns, "app", PatchType::kJson,
                                   object::Value::array({{{"op", "replace"}, {"path", "/data/b"}, {"value", "y"}}}));
  REQUIRE_OK(json_patched.status());
  CHECK(object::GetString(*json_patched, {"data", "b"}) == "y");

  // Dry-run writes change nothing.
  REQUIRE_OK(client.Delete(kConfigMap, ns, "app", PropagationPolicy::kBackground, /*dry_run=*/true));
  REQUIRE_OK(client.Get(kConfigMap, ns, "app").status());

  REQUIRE_OK(client.Delete(kConfigMap, ns, "app", PropagationPolicy::kBackground));
  auto gone = client.Get(kConfigMap, ns, "app");
  CHECK(absl::IsNotFound(gone.status()));
  CHECK(ReasonOf(gone.status()) == "NotFound");
  absl::Status deleted_again = client.Delete(kConfigMap, ns, "app");
  CHECK(absl::IsNotFound(deleted_again));
  CHECK(ReasonOf(deleted_again) == "NotFound");

  auto invalid = client.Create(ConfigMap(ns, "Not_A_Valid_Name", {{"a", "1"}}));
  CHECK(absl::IsInvalidArgument(invalid.status()));
}

TEST_CASE("dev-apiserver: list with label selectors and pages", "[integration]") {
  REQUIRE_DEV_APISERVER();
  Client& client = Server()->client();
  std::string ns = NewNamespace(client);
  REQUIRE_OK(client.Create(ConfigMap(ns, "a1", {{"k", "v"}}, {{"app", "a"}, {"tier", "web"}})).status());
  REQUIRE_OK(client.Create(ConfigMap(ns, "a2", {{"k", "v"}}, {{"app", "a"}, {"tier", "db"}})).status());
  REQUIRE_OK(client.Create(ConfigMap(ns, "b1", {{"k", "v"}}, {{"app", "b"}})).status());

  auto all = client.List(kConfigMap, ns);
  REQUIRE_OK(all.status());
  size_t total = (*all)["items"].size();
  CHECK(total >= 3);  // a namespace may hold a root CA ConfigMap too
  CHECK_FALSE(object::GetString(*all, {"metadata", "resourceVersion"}).empty());
  CHECK((*all)["items"][0]["kind"] == "ConfigMap");

  auto app_a = client.List(kConfigMap, ns, {.label_selector = "app=a"});
  REQUIRE_OK(app_a.status());
  CHECK((*app_a)["items"].size() == 2);

  auto set_based = client.List(kConfigMap, ns, {.label_selector = "app in (a,b),tier!=db"});
  REQUIRE_OK(set_based.status());
  std::vector<std::string> names;
  for (const auto& item : (*set_based)["items"]) names.push_back(object::GetString(item, {"metadata", "name"}));
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"a1", "b1"});

  auto by_field = client.List(kConfigMap, ns, {.field_selector = "metadata.name=b1"});
  REQUIRE_OK(by_field.status());
  CHECK((*by_field)["items"].size() == 1);

  // Pagination with limit/continue covers everything exactly once.
  std::vector<std::string> paged;
  ListOptions page{.limit = 1};
  for (int i = 0; i < 10; ++i) {
    auto list = client.List(kConfigMap, ns, page);
    REQUIRE_OK(list.status());
    for (const auto& item : (*list)["items"]) paged.push_back(object::GetString(item, {"metadata", "name"}));
    page.continue_token = object::GetString(*list, {"metadata", "continue"});
    if (page.continue_token.empty()) break;
  }
  CHECK(paged.size() == total);

  // All namespaces.
  auto everywhere = client.List(kConfigMap, "", {.label_selector = "app=b"});
  REQUIRE_OK(everywhere.status());
  CHECK((*everywhere)["items"].size() >= 1);
}

// Collects watch events on a thread until stopped.
class Watcher {
 public:
  Watcher(Client& client, const std::string& ns, WatchOptions options) {
    thread_ = std::thread([this, &client, ns, options] {
      result_ = client.Watch(kConfigMap, ns, options, [this](const WatchEvent& e) {
        std::lock_guard<std::mutex> lock(mu_);
        if (e.type != "BOOKMARK") {
          events_.push_back(e.type + ":" + object::GetString(e.object, {"metadata", "name"}));
        }
        last_rv_ = object::GetString(e.object, {"metadata", "resourceVersion"});
        return true;
      }, &stop_);
    });
  }
  ~Watcher() { (void)Stop(); }

  // Waits until `n` events arrived (or 10s passed).
  std::vector<std::string> WaitFor(size_t n) {
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (events_.size() >= n) return events_;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  absl::Status Stop() {
    stop_.Stop();
    if (thread_.joinable()) thread_.join();
    return result_;
  }
  std::string last_rv() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_rv_;
  }

 private:
  StopToken stop_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> events_;
  std::string last_rv_;
  absl::Status result_;
};

TEST_CASE("dev-apiserver: watch sees ADDED, MODIFIED, DELETED and resumes", "[integration][watch]") {
  REQUIRE_DEV_APISERVER();
  Client& client = Server()->client();
  std::string ns = NewNamespace(client);
  auto list = client.List(kConfigMap, ns);
  REQUIRE_OK(list.status());
  std::string rv = object::GetString(*list, {"metadata", "resourceVersion"});

  std::string resume_rv;
  {
    Watcher watcher(client, ns, {.resource_version = rv});
    REQUIRE_OK(client.Create(ConfigMap(ns, "w", {{"a", "1"}})).status());
    REQUIRE_OK(client.Patch(kConfigMap, ns, "w", PatchType::kMerge, {{"data", {{"a", "2"}}}}).status());
    REQUIRE_OK(client.Delete(kConfigMap, ns, "w"));
    auto events = watcher.WaitFor(3);
    CHECK(events == std::vector<std::string>{"ADDED:w", "MODIFIED:w", "DELETED:w"});
    resume_rv = watcher.last_rv();
    absl::Time stop_at = absl::Now();
    REQUIRE_OK(watcher.Stop());
    CHECK(absl::Now() - stop_at < absl::Seconds(1));
  }

  // Changes while nobody watches are delivered when resuming from the last
  // resourceVersion seen.
  REQUIRE_OK(client.Create(ConfigMap(ns, "later", {{"a", "1"}})).status());
  REQUIRE_OK(client.Delete(kConfigMap, ns, "later"));
  Watcher resumed(client, ns, {.resource_version = resume_rv});
  auto events = resumed.WaitFor(2);
  CHECK(events == std::vector<std::string>{"ADDED:later", "DELETED:later"});
  REQUIRE_OK(resumed.Stop());
}

TEST_CASE("dev-apiserver: watch with a label selector", "[integration][watch]") {
  REQUIRE_DEV_APISERVER();
  Client& client = Server()->client();
  std::string ns = NewNamespace(client);
  auto list = client.List(kConfigMap, ns);
  REQUIRE_OK(list.status());
  Watcher watcher(client, ns,
                  {.label_selector = "watched=yes", .resource_version = object::GetString(*list, {"metadata", "resourceVersion"})});
  REQUIRE_OK(client.Create(ConfigMap(ns, "ignored", {{"a", "1"}}, {{"watched", "no"}})).status());
  REQUIRE_OK(client.Create(ConfigMap(ns, "seen", {{"a", "1"}}, {{"watched", "yes"}})).status());
  auto events = watcher.WaitFor(1);
  CHECK(events == std::vector<std::string>{"ADDED:seen"});
  REQUIRE_OK(watcher.Stop());
}

TEST_CASE("dev-apiserver: server-side apply with field managers", "[integration][apply]") {
  REQUIRE_DEV_APISERVER();
  Client& client = Server()->client();
  std::string ns = NewNamespace(client);

  object::Value desired = {{"apiVersion", "v1"},
                           {"kind", "ConfigMap"},
                           {"metadata", {{"name", "applied"}, {"namespace", ns}}},
                           {"data", {{"owned", "by-flux"}}}};
  auto applied = client.Apply(desired, {.field_manager = "kustomize-controller"});
  REQUIRE_OK(applied.status());
  CHECK(object::GetString(*applied, {"data", "owned"}) == "by-flux");
  bool has_manager = false;
  if (const object::Value* mf = object::Find(*applied, {"metadata", "managedFields"}); mf && mf->is_array()) {
    for (const auto& entry : *mf) {
      if (object::GetString(entry, {"manager"}) == "kustomize-controller" &&
          object::GetString(entry, {"operation"}) == "Apply") {
        has_manager = true;
      }
    }
  }
  CHECK(has_manager);

  // Applying the same object again is a no-op success.
  REQUIRE_OK(client.Apply(desired, {.field_manager = "kustomize-controller"}).status());

  // Another manager claiming the field conflicts unless it forces.
  object::Value rival = desired;
  rival["data"]["owned"] = "by-someone-else";
  auto conflict = client.Apply(rival, {.field_manager = "kubectl"});
  CHECK(absl::IsAborted(conflict.status()));
  CHECK(ReasonOf(conflict.status()) == "Conflict");
  auto forced = client.Apply(rival, {.field_manager = "kubectl", .force = true});
  REQUIRE_OK(forced.status());
  CHECK(object::GetString(*forced, {"data", "owned"}) == "by-someone-else");

  // Dry-run apply does not persist.
  object::Value dry = desired;
  dry["data"]["owned"] = "dry";
  auto dry_result = client.Apply(dry, {.field_manager = "kubectl", .force = true, .dry_run = true});
  REQUIRE_OK(dry_result.status());
  CHECK(object::GetString(*dry_result, {"data", "owned"}) == "dry");
  CHECK(object::GetString(client.Get(kConfigMap, ns, "applied").value(), {"data", "owned"}) == "by-someone-else");

  // Apply creates objects that do not exist yet.
  object::Value fresh = desired;
  fresh["metadata"]["name"] = "created-by-apply";
  REQUIRE_OK(client.Apply(fresh, {.field_manager = "kustomize-controller"}).status());
  REQUIRE_OK(client.Get(kConfigMap, ns, "created-by-apply").status());
}

object::Value WidgetCrd() {
  auto schema = object::ParseJson(R"({
    "type": "object",
    "properties": {
      "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
      "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
    }})");
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "widgets.test.fluxcpp.io"}}},
          {"spec",
           {{"group", "test.fluxcpp.io"},
            {"scope", "Namespaced"},
            {"names", {{"plural", "widgets"}, {"singular", "widget"}, {"kind", "Widget"}, {"listKind", "WidgetList"}}},
            {"versions", object::Value::array({{{"name", "v1"},
                                                {"served", true},
                                                {"storage", true},
                                                {"schema", {{"openAPIV3Schema", *schema}}},
                                                {"subresources", {{"status", object::Value::object()}}}}})}}}};
}

TEST_CASE("dev-apiserver: CRD discovery and the status subresource", "[integration][status]") {
  REQUIRE_DEV_APISERVER();
  Client& client = Server()->client();
  std::string ns = NewNamespace(client);

  auto crd = client.Create(WidgetCrd());
  if (!absl::IsAlreadyExists(crd.status())) REQUIRE_OK(crd.status());

  // The new kind shows up once discovery refreshes (at most once a second).
  absl::StatusOr<ResourceMapping> mapping = absl::NotFoundError("");
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    mapping = client.Mapping(kWidget);
    if (mapping.ok()) break;
    REQUIRE(absl::IsNotFound(mapping.status()));
    absl::SleepFor(absl::Milliseconds(100));
  }
  REQUIRE_OK(mapping.status());
  CHECK(mapping->resource == "widgets");
  CHECK(mapping->namespaced);
  CHECK(mapping->has_status);

  object::Value widget = {{"apiVersion", "test.fluxcpp.io/v1"},
                          {"kind", "Widget"},
                          {"metadata", {{"name", "w1"}, {"namespace", ns}}},
                          {"spec", {{"size", 3}}}};
  auto created = client.Create(widget);
  REQUIRE_OK(created.status());

  // Status writes go through /status only.
  object::Value with_status = *created;
  with_status["status"] = {{"observedGeneration", 1}, {"ready", true}};
  with_status["spec"]["size"] = 99;  // ignored by the status endpoint
  auto status_updated = client.UpdateStatus(with_status);
  REQUIRE_OK(status_updated.status());
  CHECK(object::GetBool(*status_updated, {"status", "ready"}));
  CHECK(object::GetInt(*status_updated, {"spec", "size"}) == 3);

  // ... and the main endpoint ignores status.
  object::Value main = *status_updated;
  main["status"]["ready"] = false;
  main["spec"]["size"] = 4;
  auto main_updated = client.Update(main);
  REQUIRE_OK(main_updated.status());
  CHECK(object::GetInt(*main_updated, {"spec", "size"}) == 4);
  CHECK(object::GetBool(*main_updated, {"status", "ready"}));

  auto patched = client.Patch(kWidget, ns, "w1", PatchType::kMerge, {{"status", {{"ready", false}}}},
                              {.field_manager = "widget-controller"}, "status");
  REQUIRE_OK(patched.status());
  CHECK_FALSE(object::GetBool(*patched, {"status", "ready"}, true));

  object::Value status_apply = {{"apiVersion", "test.fluxcpp.io/v1"},
                                {"kind", "Widget"},
                                {"metadata", {{"name", "w1"}, {"namespace", ns}}},
                                {"status", {{"phase", "Applied"}}}};
  auto status_applied = client.ApplyStatus(status_apply, {.field_manager = "widget-controller", .force = true});
  REQUIRE_OK(status_applied.status());
  CHECK(object::GetString(*status_applied, {"status", "phase"}) == "Applied");

  auto list = client.List(kWidget, ns);
  REQUIRE_OK(list.status());
  REQUIRE((*list)["items"].size() == 1);
  CHECK((*list)["items"][0]["kind"] == "Widget");

  REQUIRE_OK(client.Delete(kWidget, ns, "w1"));
}

TEST_CASE("dev-apiserver: restart keeps the data", "[integration][restart]") {
  REQUIRE_DEV_APISERVER();
  auto started = DevApiServer::Start();
  REQUIRE_OK(started.status());
  DevApiServer& server = **started;
  Client& client = server.client();
  REQUIRE_OK(client.Create(ConfigMap("default", "survivor", {{"a", "1"}})).status());
  int port = server.port();
  REQUIRE_OK(server.Restart());
  CHECK(server.port() == port);
  auto got = server.client().Get(kConfigMap, "default", "survivor");
  REQUIRE_OK(got.status());
  CHECK(object::GetString(*got, {"data", "a"}) == "1");
  auto fresh = server.NewClient();
  REQUIRE_OK(fresh.status());
  REQUIRE_OK((*fresh)->Get(kConfigMap, "default", "survivor").status());
}

}  // namespace
}  // namespace fluxcpp::kube
