// healthCheckExprs and dependsOn[].readyExpr: compilation, matching, evaluation.

#include <catch2/catch.hpp>

#include "libs/runtime/testing/fake_client.h"
#include "services/kustomize-controller/cel_expressions.h"
#include "services/kustomize-controller/dependency_checker.h"
#include "services/kustomize-controller/health_checker.h"

using namespace fluxcpp;
using namespace fluxcpp::kustomize_controller;

namespace {
object::Value Parse(const std::string& json) { return *object::ParseJson(json); }

object::Value Kustomization(const std::string& name, const std::string& spec) {
  return Parse(R"({"apiVersion":"kustomize.toolkit.fluxcd.io/v1","kind":"Kustomization",
                   "metadata":{"name":")" + name + R"(","namespace":"flux-system","generation":1},"spec":)" + spec + "}");
}
}  // namespace

TEST_CASE("healthCheckExprs: a compile error names the entry and the expression") {
  auto ks = Kustomization("apps", R"({"healthCheckExprs":[
      {"apiVersion":"example.com/v1","kind":"Widget","current":"status.phase == 'Ready'"},
      {"apiVersion":"cert-manager.io/v1","kind":"Certificate","current":"status.conditions.all(c, ","failed":"true"}]})");
  auto compiled = HealthExpressions::Compile(ks);
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(compiled.status().message()).rfind("spec.healthCheckExprs[1]", 0) == 0);
  CHECK_FALSE(ValidateExpressions(ks).ok());

  auto missing = HealthExpressions::Compile(Kustomization("apps", R"({"healthCheckExprs":[{"apiVersion":"x/v1","kind":"K"}]})"));
  REQUIRE_FALSE(missing.ok());
  CHECK(std::string(missing.status().message()) == "spec.healthCheckExprs[0].current: required");
}

TEST_CASE("healthCheckExprs: the kind-specific entry beats the group-only one; versions are not compared") {
  auto ks = Kustomization("apps", R"({"healthCheckExprs":[
      {"apiVersion":"example.com/v1","current":"true"},
      {"apiVersion":"example.com/v2","kind":"Widget","current":"status.phase == 'Ready'","failed":"status.phase == 'Broken'"}]})");
  auto compiled = HealthExpressions::Compile(ks);
  REQUIRE(compiled.ok());
  const cel::StatusEvaluator* widget = compiled->Find("example.com", "Widget");
  const cel::StatusEvaluator* gadget = compiled->Find("example.com", "Gadget");
  REQUIRE(widget != nullptr);
  REQUIRE(gadget != nullptr);
  CHECK(widget != gadget);
  CHECK(compiled->Find("other.io", "Widget") == nullptr);
  auto broken = widget->Evaluate(Parse(R"({"metadata":{"generation":1},"status":{"phase":"Broken"}})"));
  REQUIRE(broken.ok());
  CHECK(*broken == cel::HealthStatus::kFailed);
}

TEST_CASE("ReadHealth judges matched objects by their CEL rules, others by kstatus") {
  runtime::testing::FakeClient client;
  REQUIRE(client.Create(Parse(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"apps"},
      "status":{"phase":"Pending","conditions":[{"type":"Ready","status":"True"}]}})")).ok());
  std::vector<ssa::ObjectRef> targets = {{"apps", "w", "example.com", "Widget", "v1"}};
  // kstatus alone: Ready=True makes it Current.
  CHECK(ReadHealth(client, targets, {}).all_current);
  auto rules = HealthExpressions::Compile(Kustomization("apps", R"({"healthCheckExprs":[
      {"apiVersion":"example.com/v1","kind":"Widget","current":"status.phase == 'Ready'","failed":"status.phase == 'Broken'"}]})"));
  REQUIRE(rules.ok());
  auto pending = ReadHealth(client, targets, {}, &*rules);
  CHECK_FALSE(pending.all_current);
  // A rule that errors at evaluation (no such key) leaves the object Unknown with the error.
  auto erring = HealthExpressions::Compile(Kustomization("apps", R"({"healthCheckExprs":[
      {"apiVersion":"example.com/v1","kind":"Widget","current":"status.missing.field == 1"}]})"));
  REQUIRE(erring.ok());
  CHECK_FALSE(ReadHealth(client, targets, {}, &*erring).all_current);
}

TEST_CASE("dependsOn readyExpr replaces the built-in check unless AdditiveCELDependencyCheck") {
  runtime::testing::FakeClient client;
  auto infra = Kustomization("infra", R"({"sourceRef":{"kind":"GitRepository","name":"other"}})");
  infra["metadata"]["annotations"] = Parse(R"({"team":"platform"})");
  REQUIRE(client.Create(infra).ok());  // no status: the built-in check would say "not ready"

  auto ready_by_expr = Kustomization("apps", R"({"sourceRef":{"kind":"GitRepository","name":"repo"},
      "dependsOn":[{"name":"infra","readyExpr":"dep.metadata.annotations.team == 'platform' && self.metadata.name == 'apps'"}]})");
  CHECK(CheckDependencies(client, ready_by_expr, "main@sha1:1").ok());
  absl::Status additive = CheckDependencies(client, ready_by_expr, "main@sha1:1", /*additive_cel=*/true);
  CHECK(std::string(additive.message()) == "dependency 'flux-system/infra' is not ready");

  auto not_ready = Kustomization("apps", R"({"dependsOn":[{"name":"infra","readyExpr":"dep.metadata.annotations.team == 'apps'"}]})");
  absl::Status s = CheckDependencies(client, not_ready, "main@sha1:1");
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(s.message()) == "dependency 'flux-system/infra' is not ready according to readyExpr eval");

  auto not_bool = Kustomization("apps", R"({"dependsOn":[{"name":"infra","readyExpr":"dep.metadata.name"}]})");
  CHECK(std::string(CheckDependencies(client, not_bool, "main@sha1:1").message())
            .rfind("dependency 'flux-system/infra' readyExpr evaluation failed: ", 0) == 0);

  auto invalid = Kustomization("apps", R"({"dependsOn":[{"name":"infra"},{"name":"infra","readyExpr":"dep.("}]})");
  absl::Status compile = ValidateExpressions(invalid);
  CHECK(compile.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(compile.message()).rfind("spec.dependsOn[1].readyExpr: ", 0) == 0);
}
