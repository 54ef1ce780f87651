#include "libs/ssa/object_ref.h"

#include <catch2/catch.hpp>

#include "libs/ssa/resource_manager.h"

using namespace fluxcpp;

TEST_CASE("inventory ids follow Flux's format") {
  auto obj = *object::ParseJson(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"podinfo","namespace":"default"}})");
  ssa::ObjectRef ref = ssa::ObjectRef::Of(obj);
  CHECK(ref.InventoryId() == "default_podinfo_apps_Deployment");
  CHECK(ref.Subject() == "Deployment/default/podinfo");
  auto svc = *object::ParseJson(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"podinfo","namespace":"default"}})");
  CHECK(ssa::ObjectRef::Of(svc).InventoryId() == "default_podinfo__Service");
  auto cr = *object::ParseJson(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"system:flux"}})");
  ssa::ObjectRef cref = ssa::ObjectRef::Of(cr);
  CHECK(cref.InventoryId() == "_system__flux_rbac.authorization.k8s.io_ClusterRole");
  CHECK(cref.Subject() == "ClusterRole/system:flux");
  auto back = ssa::ParseInventoryEntry(cref.InventoryId(), "v1");
  REQUIRE(back.ok());
  CHECK(back->name == "system:flux");
  CHECK(back->ns.empty());
  CHECK_FALSE(ssa::ParseInventoryEntry("bad", "v1").ok());
}

TEST_CASE("inventory round trip and stale detection") {
  std::vector<ssa::ObjectRef> old_refs = {{"default", "a", "", "ConfigMap", "v1"},
                                          {"default", "b", "apps", "Deployment", "v1"},
                                          {"", "ns1", "", "Namespace", "v1"}};
  std::vector<ssa::ObjectRef> new_refs = {old_refs[0], old_refs[2]};
  auto inv = ssa::ToInventory(old_refs);
  CHECK(inv["entries"][1]["id"] == "default_b_apps_Deployment");
  CHECK(inv["entries"][1]["v"] == "v1");
  auto parsed = ssa::FromInventory(inv);
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 3);
  auto stale = ssa::StaleObjects(*parsed, new_refs);
  REQUIRE(stale.size() == 1);
  CHECK(stale[0].Subject() == "Deployment/default/b");
}

TEST_CASE("apply order follows Flux's kind ranking") {
  std::vector<object::Value> objs;
  for (const char* k : {"Deployment", "Service", "Namespace", "Widget", "CustomResourceDefinition", "ConfigMap"}) {
    objs.push_back({{"apiVersion", "v1"}, {"kind", k}, {"metadata", {{"name", "x"}}}});
  }
  ssa::ResourceManager::SortForApply(objs);
  std::vector<std::string> kinds;
  for (const auto& o : objs) kinds.push_back(o["kind"]);
  CHECK(kinds == std::vector<std::string>{"CustomResourceDefinition", "Namespace", "ConfigMap", "Service",
                                          "Deployment", "Widget"});
}
