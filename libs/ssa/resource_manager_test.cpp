#include "libs/ssa/resource_manager.h"

#include <catch2/catch.hpp>

using namespace fluxcpp;

namespace {
object::Value Parse(const char* json) { return *object::ParseJson(json); }
}  // namespace

TEST_CASE("Normalize folds Secret stringData into data") {
  auto secret = Parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","creationTimestamp":null},
                          "data":{"a":"YQ=="},"stringData":{"b":"hello"}})");
  ssa::ResourceManager::Normalize(secret);
  CHECK(object::GetString(secret, {"data", "a"}) == "YQ==");
  CHECK(object::GetString(secret, {"data", "b"}) == "aGVsbG8=");
  CHECK(object::Find(secret, {"stringData"}) == nullptr);
  CHECK(object::Find(secret, {"metadata", "creationTimestamp"}) == nullptr);
}

TEST_CASE("Normalize defaults port protocols to TCP and drops status") {
  auto svc = Parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
                       "spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP"}]},"status":{}})");
  ssa::ResourceManager::Normalize(svc);
  CHECK((*object::Find(svc, {"spec", "ports"}))[0]["protocol"] == "TCP");
  CHECK((*object::Find(svc, {"spec", "ports"}))[1]["protocol"] == "UDP");
  CHECK(object::Find(svc, {"status"}) == nullptr);
  auto deploy = Parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"template":{"spec":{"containers":[{"name":"c","ports":[{"containerPort":8080}]}]}}}})");
  ssa::ResourceManager::Normalize(deploy);
  CHECK((*object::Find(deploy, {"spec", "template", "spec", "containers"}))[0]["ports"][0]["protocol"] == "TCP");
  auto crd = Parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
                       "metadata":{"name":"x"},"status":{"a":1}})");
  ssa::ResourceManager::Normalize(crd);
  CHECK(object::Find(crd, {"status"}) != nullptr);
}

TEST_CASE("SortForApply follows Flux's kind order") {
  std::vector<object::Value> objs = {
      Parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","namespace":"n"}})"),
      Parse(R"({"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingWebhookConfiguration","metadata":{"name":"w"}})"),
      Parse(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"n"}})"),
      Parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}})"),
      Parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"c"}})"),
      Parse(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa","namespace":"n"}})"),
  };
  ssa::ResourceManager::SortForApply(objs);
  std::vector<std::string> kinds;
  for (const auto& o : objs) kinds.push_back(object::GetString(o, {"kind"}));
  CHECK(kinds == std::vector<std::string>{"CustomResourceDefinition", "Namespace", "ServiceAccount", "Deployment",
                                          "Widget", "ValidatingWebhookConfiguration"});
}

TEST_CASE("ChangeSet summaries list only changes") {
  ssa::ChangeSet cs;
  cs.entries.push_back({ssa::ObjectRef{"n", "a", "apps", "Deployment", "v1"}, ssa::Action::kCreated});
  cs.entries.push_back({ssa::ObjectRef{"n", "b", "", "ConfigMap", "v1"}, ssa::Action::kUnchanged});
  cs.entries.push_back({ssa::ObjectRef{"n", "c", "", "ConfigMap", "v1"}, ssa::Action::kSkipped});
  CHECK(cs.HasChanges());
  CHECK(cs.ChangesSummary() == "Deployment/n/a created");
  CHECK(cs.Refs().size() == 3);
  CHECK(cs.AppliedRefs().size() == 2);
}
