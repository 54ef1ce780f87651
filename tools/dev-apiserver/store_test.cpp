#include "tools/dev-apiserver/store.h"

#include <catch2/catch.hpp>

#include "absl/time/time.h"

using namespace fluxcpp::devapiserver;
using fluxcpp::object::Value;
using Op = Store::Mutation::Op;

namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/store_test_XXXXXX";
  return mkdtemp(tmpl);
}

Value Cm(const std::string& name, const std::string& data, const std::string& app = "web") {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "ns"}, {"uid", "uid-" + name}, {"labels", {{"app", app}}}}},
          {"data", {{"k", data}}}};
}

absl::StatusOr<Store::Outcome> Put(Store& store, const Value& obj) {
  ObjectKey key{"configmaps", "ns", obj["metadata"]["name"].get<std::string>()};
  return store.Mutate(key, [&](const StoredObject*, const Store::View&) -> absl::StatusOr<Store::Mutation> {
    return Store::Mutation{Op::kPut, obj};
  });
}

absl::StatusOr<Store::Outcome> Del(Store& store, const std::string& name) {
  return store.Mutate({"configmaps", "ns", name},
                      [&](const StoredObject* cur, const Store::View&) -> absl::StatusOr<Store::Mutation> {
                        return Store::Mutation{Op::kDelete, Value::parse(*cur->json)};
                      });
}

std::vector<std::string> Types(const std::vector<Watcher::Delivery>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.type);
  return out;
}

}  // namespace

TEST_CASE("store assigns resource versions and skips no-op writes") {
  auto store = Store::Open({});
  REQUIRE(store.ok());
  Store& s = **store;
  auto a = Put(s, Cm("a", "1"));
  REQUIRE(a.ok());
  CHECK(a->rv == 1);
  CHECK(a->changed);
  CHECK(Value::parse(*a->json)["metadata"]["resourceVersion"] == "1");
  auto same = Put(s, Cm("a", "1"));
  CHECK(!same->changed);
  CHECK(same->rv == 1);
  CHECK(s.CurrentRv() == 1);
  // Key order does not matter for the no-op check.
  Value reordered = Value::parse(R"({"data":{"k":"1"},"metadata":{"labels":{"app":"web"},"uid":"uid-a","namespace":"ns","name":"a"},"kind":"ConfigMap","apiVersion":"v1"})");
  CHECK(!Put(s, reordered)->changed);
  CHECK(Put(s, Cm("a", "2"))->rv == 2);
  CHECK(Put(s, Cm("b", "1"))->rv == 3);
  auto listed = s.List("configmaps", "ns");
  REQUIRE(listed.items.size() == 2);
  CHECK(listed.items[0].name == "a");
  CHECK(listed.rv == 3);
  CHECK(Del(s, "a")->rv == 4);
  CHECK(!s.Get("configmaps", "ns", "a").has_value());
  CHECK(s.List("configmaps", "").items.size() == 1);
}

TEST_CASE("store paginates and filters lists") {
  auto store = Store::Open({});
  Store& s = **store;
  for (const char* n : {"a", "b", "c", "d"}) REQUIRE(Put(s, Cm(n, "x", n == std::string("c") ? "db" : "web")).ok());
  bool more = false;
  auto keep = [](const std::string&, const std::string&, const StoredObject& o) { return o.labels().at("app") == "web"; };
  auto page = s.List("configmaps", "ns", keep, 2, "", "", &more);
  REQUIRE(page.items.size() == 2);
  CHECK(more);
  auto rest = s.List("configmaps", "ns", keep, 2, "ns", page.items.back().name, &more);
  REQUIRE(rest.items.size() == 1);
  CHECK(rest.items[0].name == "d");
  CHECK(!more);
}

TEST_CASE("watchers see ordered events, selector transitions, resume and expiry") {
  Store::Options options;
  options.history_limit = 4;
  auto store = Store::Open(options);
  Store& s = **store;
  REQUIRE(Put(s, Cm("a", "1")).ok());
  WatchFilter filter;
  filter.resource = "configmaps";
  filter.labels = *fluxcpp::apimachinery::LabelSelector::Parse("app=web");
  auto w = s.Watch(filter, Store::WatchFrom::kSnapshot);
  REQUIRE(w.ok());
  CHECK(Types((*w)->Next(absl::ZeroDuration())) == std::vector<std::string>{"ADDED"});
  REQUIRE(Put(s, Cm("a", "2")).ok());
  REQUIRE(Put(s, Cm("a", "2", "db")).ok());   // leaves the selector
  REQUIRE(Put(s, Cm("a", "3", "db")).ok());   // invisible
  REQUIRE(Put(s, Cm("a", "3", "web")).ok());  // enters again
  REQUIRE(Del(s, "a").ok());
  auto ds = (*w)->Next(absl::ZeroDuration());
  CHECK(Types(ds) == std::vector<std::string>{"MODIFIED", "DELETED", "ADDED", "DELETED"});
  for (size_t i = 1; i < ds.size(); ++i) CHECK(ds[i].rv > ds[i - 1].rv);
  s.Unwatch(*w);
  CHECK(s.WatcherCount() == 0);

  // Resume from a retained revision replays what followed it.
  auto resumed = s.Watch({"configmaps", "", {}, {}}, Store::WatchFrom::kRevision, 4);
  REQUIRE(resumed.ok());
  CHECK(Types((*resumed)->Next(absl::ZeroDuration())) == std::vector<std::string>{"MODIFIED", "DELETED"});
  // Too old: 410 Gone.
  auto gone = s.Watch({"configmaps", "", {}, {}}, Store::WatchFrom::kRevision, 1);
  REQUIRE(!gone.ok());
  CHECK(gone.status().code() == absl::StatusCode::kOutOfRange);
  // Bookmarks carry the current revision once the queue is drained.
  CHECK(s.BookmarkRv(**resumed) == s.CurrentRv());
  REQUIRE(Put(s, Cm("z", "1")).ok());
  CHECK(s.BookmarkRv(**resumed) == 0);
}

TEST_CASE("slow watchers are closed, not waited for") {
  Store::Options options;
  options.watcher_queue_limit = 3;
  auto store = Store::Open(options);
  Store& s = **store;
  auto w = s.Watch({"configmaps", "", {}, {}}, Store::WatchFrom::kNow);
  for (int i = 0; i < 5; ++i) REQUIRE(Put(s, Cm("a", std::to_string(i))).ok());
  CHECK((*w)->closed());
}

TEST_CASE("store survives restarts and keeps counting") {
  std::string dir = TempDir();
  {
    auto store = Store::Open({dir});
    REQUIRE(store.ok());
    REQUIRE(Put(**store, Cm("a", "1")).ok());
    REQUIRE(Put(**store, Cm("b", "1")).ok());
    REQUIRE(Del(**store, "b").ok());
  }
  auto store = Store::Open({dir});
  REQUIRE(store.ok());
  Store& s = **store;
  CHECK(s.CurrentRv() == 3);
  CHECK(s.Get("configmaps", "ns", "a").has_value());
  CHECK(!s.Get("configmaps", "ns", "b").has_value());
  CHECK(s.UidExists("uid-a"));
  CHECK(Put(s, Cm("c", "1"))->rv == 4);
  // A watch from before the restart has to relist.
  CHECK(!s.Watch({"configmaps", "", {}, {}}, Store::WatchFrom::kRevision, 1).ok());
}

TEST_CASE("store compacts its log") {
  std::string dir = TempDir();
  Store::Options options{dir};
  options.compact_min_bytes = 4096;
  options.compact_ratio = 2;
  {
    auto store = Store::Open(options);
    for (int i = 0; i < 200; ++i) REQUIRE(Put(**store, Cm("a", std::to_string(i))).ok());
    CHECK((*store)->LogSize() < 8192);
  }
  auto store = Store::Open(options);
  CHECK((*store)->CurrentRv() == 200);
  CHECK(Value::parse(*(*store)->Get("configmaps", "ns", "a")->json)["data"]["k"] == "199");
}

TEST_CASE("owner and namespace indexes") {
  auto store = Store::Open({});
  Store& s = **store;
  Value child = Cm("child", "1");
  child["metadata"]["ownerReferences"] = Value::array({{{"uid", "uid-a"}, {"kind", "ConfigMap"}, {"name", "a"}}});
  REQUIRE(Put(s, child).ok());
  CHECK(s.DependentsOf("uid-a").size() == 1);
  CHECK(s.ObjectsWithOwners().size() == 1);
  CHECK(s.KeysInNamespace("ns").size() == 1);
  REQUIRE(Del(s, "child").ok());
  CHECK(s.DependentsOf("uid-a").empty());
  CHECK(s.KeysInNamespace("ns").empty());
}
