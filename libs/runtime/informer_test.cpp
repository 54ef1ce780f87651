#include "libs/runtime/informer.h"

#include <atomic>
#include <mutex>
#include <set>

#include <catch2/catch.hpp>

#include "libs/runtime/testing/fake_client.h"
#include "libs/runtime/testing/wait.h"

namespace fluxcpp::runtime {
namespace {

using namespace std::chrono_literals;
using testing::WaitFor;

const kube::GroupVersionKind kGitRepo{"source.toolkit.fluxcd.io", "v1", "GitRepository"};

object::Value Repo(const std::string& ns, const std::string& name, const std::string& url = "https://x") {
  return {{"apiVersion", "source.toolkit.fluxcd.io/v1"},
          {"kind", "GitRepository"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"labels", {{"shard", "a"}}},
            {"managedFields", object::Value::array({{{"manager", "kubectl"}}})}}},
          {"spec", {{"url", url}, {"interval", "1m"}}}};
}

struct Recorder {
  std::mutex mu;
  std::vector<std::string> events;
  InformerHandlers Handlers() {
    InformerHandlers h;
    h.on_add = [this](const ObjectPtr& o) { Push("add " + ObjectKeyOf(*o)); };
    h.on_update = [this](const ObjectPtr&, const ObjectPtr& o) { Push("update " + ObjectKeyOf(*o)); };
    h.on_delete = [this](const ObjectPtr& o) { Push("delete " + ObjectKeyOf(*o)); };
    return h;
  }
  void Push(std::string e) {
    std::lock_guard<std::mutex> l(mu);
    events.push_back(std::move(e));
  }
  bool Has(const std::string& e) {
    std::lock_guard<std::mutex> l(mu);
    return std::find(events.begin(), events.end(), e) != events.end();
  }
  int Count(const std::string& e) {
    std::lock_guard<std::mutex> l(mu);
    return static_cast<int>(std::count(events.begin(), events.end(), e));
  }
};

InformerOptions FastOptions() {
  InformerOptions o;
  o.gvk = kGitRepo;
  o.min_backoff = 10ms;
  o.max_backoff = 50ms;
  return o;
}

TEST_CASE("Informer lists, caches slim shared objects and syncs", "[informer]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Repo("default", "a")).ok());
  REQUIRE(client.Create(Repo("default", "b")).ok());
  REQUIRE(client.Create(Repo("other", "c")).ok());
  Informer informer(client, FastOptions());
  Recorder rec;
  informer.AddHandlers(rec.Handlers());
  REQUIRE_FALSE(informer.HasSynced());
  informer.Start();
  REQUIRE(informer.WaitForSync(5s));
  REQUIRE(informer.Size() == 3);
  REQUIRE(WaitFor([&] { return rec.Has("add other/c"); }));
  ObjectPtr a = informer.Get("default/a");
  REQUIRE(a != nullptr);
  REQUIRE(object::Find(*a, {"metadata", "managedFields"}) == nullptr);
  REQUIRE(object::GetString(*a, {"spec", "url"}) == "https://x");
  REQUIRE(informer.ListNamespace("default").size() == 2);
  REQUIRE(informer.Get("default/zzz") == nullptr);
  informer.Stop();
}

TEST_CASE("Informer follows watch events", "[informer]") {
  testing::FakeClient client;
  Informer informer(client, FastOptions());
  Recorder rec;
  informer.AddHandlers(rec.Handlers());
  informer.Start();
  REQUIRE(informer.WaitForSync(5s));
  REQUIRE(client.Create(Repo("default", "a")).ok());
  REQUIRE(WaitFor([&] { return rec.Has("add default/a"); }));
  REQUIRE(client.Patch(kGitRepo, "default", "a", kube::PatchType::kMerge, {{"spec", {{"url", "https://y"}}}}).ok());
  REQUIRE(WaitFor([&] { return rec.Has("update default/a"); }));
  REQUIRE(object::GetString(*informer.Get("default/a"), {"spec", "url"}) == "https://y");
  REQUIRE(client.Delete(kGitRepo, "default", "a").ok());
  REQUIRE(WaitFor([&] { return rec.Has("delete default/a"); }));
  REQUIRE(informer.Get("default/a") == nullptr);
}

TEST_CASE("Informer resumes from the last resourceVersion when a watch ends", "[informer]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Repo("default", "a")).ok());
  Informer informer(client, FastOptions());
  Recorder rec;
  informer.AddHandlers(rec.Handlers());
  informer.Start();
  REQUIRE(informer.WaitForSync(5s));
  REQUIRE(WaitFor([&] { return client.calls("watch") == 1; }));
  client.CloseWatches();
  REQUIRE(WaitFor([&] { return client.calls("watch") >= 2; }));
  REQUIRE(client.Create(Repo("default", "b")).ok());
  REQUIRE(WaitFor([&] { return rec.Has("add default/b"); }));
  REQUIRE(client.calls("list") == 1);  // no relist needed
  REQUIRE(rec.Count("add default/a") == 1);
}

TEST_CASE("Informer relists on 410 Gone and emits synthetic deletes", "[informer]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Repo("default", "a")).ok());
  REQUIRE(client.Create(Repo("default", "b")).ok());
  Informer informer(client, FastOptions());
  Recorder rec;
  informer.AddHandlers(rec.Handlers());
  informer.Start();
  REQUIRE(informer.WaitForSync(5s));
  REQUIRE(WaitFor([&] { return client.calls("watch") == 1; }));

  // The watch breaks and cannot be re-established for a while; meanwhile b
  // is deleted, a changes, c appears, and the history is compacted.
  client.FailNext("watch", absl::UnavailableError("connection refused"), 3);
  client.CloseWatches();
  REQUIRE(WaitFor([&] { return client.calls("watch") >= 2; }));
  REQUIRE(client.Delete(kGitRepo, "default", "b").ok());
  REQUIRE(client.Patch(kGitRepo, "default", "a", kube::PatchType::kMerge, {{"spec", {{"url", "https://z"}}}}).ok());
  REQUIRE(client.Create(Repo("default", "c")).ok());
  client.Compact();

  REQUIRE(WaitFor([&] { return rec.Has("delete default/b"); }));
  REQUIRE(WaitFor([&] { return rec.Has("add default/c"); }));
  REQUIRE(WaitFor([&] { return rec.Has("update default/a"); }));
  REQUIRE(client.calls("list") == 2);
  REQUIRE(informer.Get("default/b") == nullptr);
  REQUIRE(object::GetString(*informer.Get("default/a"), {"spec", "url"}) == "https://z");
}

TEST_CASE("Informer backs off and retries failed lists", "[informer]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Repo("default", "a")).ok());
  client.FailNext("list", absl::UnavailableError("apiserver down"), 2);
  Informer informer(client, FastOptions());
  informer.Start();
  REQUIRE(informer.WaitForSync(5s));
  REQUIRE(client.calls("list") == 3);
  REQUIRE(informer.Size() == 1);
}

TEST_CASE("Informer filters by namespace and label selector", "[informer]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Repo("default", "a")).ok());
  auto unlabelled = Repo("default", "b");
  unlabelled["metadata"].erase("labels");
  REQUIRE(client.Create(unlabelled).ok());
  REQUIRE(client.Create(Repo("other", "c")).ok());
  auto opts = FastOptions();
  opts.ns = "default";
  opts.label_selector = "shard=a";
  Informer informer(client, opts);
  informer.Start();
  REQUIRE(informer.WaitForSync(5s));
  REQUIRE(informer.Size() == 1);
  REQUIRE(informer.Get("default/a") != nullptr);
}

TEST_CASE("Handlers added after start get the cache replayed", "[informer]") {
  testing::FakeClient client;
  REQUIRE(client.Create(Repo("default", "a")).ok());
  Informer informer(client, FastOptions());
  informer.Start();
  REQUIRE(informer.WaitForSync(5s));
  Recorder rec;
  informer.AddHandlers(rec.Handlers());
  REQUIRE(rec.Has("add default/a"));
  REQUIRE(client.Create(Repo("default", "b")).ok());
  REQUIRE(WaitFor([&] { return rec.Has("add default/b"); }));
}

}  // namespace
}  // namespace fluxcpp::runtime

namespace fluxcpp::runtime {
namespace {

object::Value RepoUsing(const std::string& ns, const std::string& name, const std::string& secret) {
  object::Value r = Repo(ns, name);
  if (!secret.empty()) r["spec"]["secretRef"] = {{"kind", "Secret"}, {"name", secret}};
  return r;
}

std::vector<std::string> KeysOf(const absl::StatusOr<std::vector<ObjectPtr>>& objs) {
  std::vector<std::string> out;
  if (!objs.ok()) return {"error: " + std::string(objs.status().message())};
  for (const auto& o : *objs) out.push_back(ObjectKeyOf(*o));
  return out;
}

TEST_CASE("Informer indexes follow adds, updates, deletes and relists", "[informer][index]") {
  testing::FakeClient client;
  REQUIRE(client.Create(RepoUsing("default", "a", "creds")).ok());
  REQUIRE(client.Create(RepoUsing("default", "b", "creds")).ok());
  REQUIRE(client.Create(RepoUsing("other", "c", "creds")).ok());
  REQUIRE(client.Create(RepoUsing("default", "d", "")).ok());
  Informer informer(client, FastOptions());
  REQUIRE(informer.AddIndexer("secret", IndexByReference({"spec", "secretRef"})).ok());
  CHECK(absl::IsAlreadyExists(informer.AddIndexer("secret", IndexByReference({"spec", "secretRef"}))));
  informer.Start();
  REQUIRE(informer.WaitForSync(5s));
  const std::string creds = ReferenceIndexValue("Secret", "default", "creds");
  CHECK(KeysOf(informer.ByIndex("secret", creds)) == std::vector<std::string>{"default/a", "default/b"});
  CHECK(KeysOf(informer.ByIndex("secret", ReferenceIndexValue("Secret", "other", "creds"))) ==
        std::vector<std::string>{"other/c"});
  CHECK(KeysOf(informer.ByIndex("secret", "Secret/default/none")).empty());
  CHECK(absl::IsNotFound(informer.ByIndex("nope", creds).status()));

  // An update moves the object; a delete removes it; an add files it.
  REQUIRE(client.Patch(kGitRepo, "default", "a", kube::PatchType::kMerge,
                       {{"spec", {{"secretRef", {{"name", "new"}}}}}}).ok());
  REQUIRE(client.Delete(kGitRepo, "default", "b").ok());
  REQUIRE(client.Create(RepoUsing("default", "e", "creds")).ok());
  REQUIRE(WaitFor([&] { return KeysOf(informer.ByIndex("secret", creds)) == std::vector<std::string>{"default/e"}; }));
  CHECK(KeysOf(informer.ByIndex("secret", ReferenceIndexValue("Secret", "default", "new"))) ==
        std::vector<std::string>{"default/a"});

  // A relist after 410 Gone rebuilds the index from what the server has.
  client.FailNext("watch", absl::UnavailableError("connection refused"), 2);
  client.CloseWatches();
  REQUIRE(client.Delete(kGitRepo, "default", "e").ok());
  REQUIRE(client.Create(RepoUsing("default", "f", "creds")).ok());
  client.Compact();
  REQUIRE(WaitFor([&] { return KeysOf(informer.ByIndex("secret", creds)) == std::vector<std::string>{"default/f"}; }));

  // An index added after sync covers what is cached already.
  REQUIRE(informer.AddIndexer("secret-again", IndexByReference({"spec", "secretRef"})).ok());
  CHECK(KeysOf(informer.ByIndex("secret-again", creds)) == std::vector<std::string>{"default/f"});
  informer.Stop();
}

}  // namespace
}  // namespace fluxcpp::runtime
