// Unit tests of the Kustomization reconciler's pieces, with FakeClient.

#include <catch2/catch.hpp>

#include "libs/runtime/testing/fake_client.h"
#include "services/kustomize-controller/dependency_checker.h"
#include "services/kustomize-controller/drift_ignore.h"
#include "services/kustomize-controller/finalizer.h"
#include "services/kustomize-controller/health_checker.h"
#include "services/kustomize-controller/post_build.h"
#include "services/kustomize-controller/source_resolver.h"

using namespace fluxcpp;
using namespace fluxcpp::kustomize_controller;

namespace {
object::Value Parse(const std::string& json) { return *object::ParseJson(json); }

object::Value Kustomization(const std::string& spec) {
  return Parse(R"({"apiVersion":"kustomize.toolkit.fluxcd.io/v1","kind":"Kustomization",
                   "metadata":{"name":"apps","namespace":"flux-system","generation":1},"spec":)" +
               spec + "}");
}
}  // namespace

TEST_CASE("substituteFrom: optional missing sources are empty, required ones fail naming the object") {
  runtime::testing::FakeClient client;
  REQUIRE(client.Create(Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"vars","namespace":"flux-system"},
                                  "data":{"env":"prod","region":"eu\n"}})")).ok());
  REQUIRE(client.Create(Parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds","namespace":"flux-system"},
                                  "data":{"token":"c2VjcmV0"}})")).ok());
  auto ks = Kustomization(R"({"postBuild":{"substitute":{"env":"staging"},"substituteFrom":[
      {"kind":"ConfigMap","name":"vars"},{"kind":"Secret","name":"creds"},
      {"kind":"ConfigMap","name":"missing","optional":true}]}})");
  auto vars = CollectVariables(client, ks);
  REQUIRE(vars.ok());
  CHECK(vars->at("env") == "staging");  // inline wins
  CHECK(vars->at("region") == "eu");    // newline stripped
  CHECK(vars->at("token") == "secret");

  auto required = Kustomization(R"({"postBuild":{"substituteFrom":[{"kind":"ConfigMap","name":"missing"}]}})");
  auto failed = CollectVariables(client, required);
  REQUIRE_FALSE(failed.ok());
  CHECK(std::string(failed.status().message()).rfind("substitute from 'ConfigMap/missing' error: ", 0) == 0);
}

TEST_CASE("SubstituteAll honours strict mode and the disabled annotation") {
  auto ks = Kustomization(R"({"postBuild":{"substitute":{"app":"podinfo"}}})");
  std::vector<object::Value> resources = {
      Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${app}"},"data":{"a":"${missing:=x}","b":"$${app}"}})"),
      Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keep",
               "annotations":{"kustomize.toolkit.fluxcd.io/substitute":"disabled"}},"data":{"a":"${app}"}})")};
  REQUIRE(SubstituteAll(ks, {{"app", "podinfo"}}, true, resources).ok());
  CHECK(object::GetString(resources[0], {"metadata", "name"}) == "podinfo");
  CHECK(object::GetString(resources[0], {"data", "a"}) == "x");
  CHECK(object::GetString(resources[0], {"data", "b"}) == "${app}");
  CHECK(object::GetString(resources[1], {"data", "a"}) == "${app}");

  std::vector<object::Value> strict = {Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${nope}"}})")};
  absl::Status s = SubstituteAll(ks, {{"app", "podinfo"}}, true, strict);
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.message()).find("post build failed for 'ConfigMap.v1.[noGrp]/${nope}'") != std::string::npos);
  CHECK(std::string(s.message()).find("variable not set (strict mode): \"nope\"") != std::string::npos);
}

TEST_CASE("dependencies must be Ready at their generation and revision") {
  runtime::testing::FakeClient client;
  auto ks = Kustomization(R"({"sourceRef":{"kind":"GitRepository","name":"repo"},"dependsOn":[{"name":"infra"}]})");
  absl::Status missing = CheckDependencies(client, ks, "main@sha1:1");
  CHECK(missing.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(missing.message()).rfind("dependency 'flux-system/infra' not found: ", 0) == 0);

  auto infra = Kustomization(R"({"sourceRef":{"kind":"GitRepository","name":"repo"}})");
  infra["metadata"]["name"] = "infra";
  infra["status"] = Parse(R"({"observedGeneration":1,"lastAppliedRevision":"main@sha1:0",
      "conditions":[{"type":"Ready","status":"True","reason":"ReconciliationSucceeded","message":"","lastTransitionTime":"2024-01-01T00:00:00Z"}]})");
  REQUIRE(client.Create(infra).ok());
  auto stored = client.Get({"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"}, "flux-system", "infra");
  REQUIRE(stored.ok());
  if (object::GetInt(*stored, {"metadata", "generation"}) == 1 && object::Find(*stored, {"status", "conditions"})) {
    absl::Status stale = CheckDependencies(client, ks, "main@sha1:1");
    CHECK(std::string(stale.message()) == "dependency 'flux-system/infra' revision is not up to date");
    CHECK(CheckDependencies(client, ks, "main@sha1:0").ok());
  }
}

TEST_CASE("health targets: wait covers applied objects, healthChecks default to apps/v1") {
  std::vector<ssa::ObjectRef> applied = {{"apps", "podinfo", "apps", "Deployment", "v1"},
                                         {"flux-system", "apps", "kustomize.toolkit.fluxcd.io", "Kustomization", "v1"}};
  CHECK(HealthCheckTargets(Kustomization(R"({"wait":true})"), applied).size() == 1);
  CHECK(HealthCheckTargets(Kustomization(R"({})"), applied).empty());
  auto targets = HealthCheckTargets(
      Kustomization(R"({"healthChecks":[{"kind":"Deployment","name":"podinfo","namespace":"apps"}]})"), applied);
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].group == "apps");
  CHECK(targets[0].version == "v1");
}

TEST_CASE("ReadHealth reports missing and in-progress objects in Flux's words") {
  runtime::testing::FakeClient client;
  REQUIRE(client.Create(Parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"slow","namespace":"apps","generation":1},
      "spec":{"replicas":1},"status":{"observedGeneration":1,"replicas":1,"updatedReplicas":1,"availableReplicas":0,"readyReplicas":0}})")).ok());
  auto summary = ReadHealth(client, {{"apps", "slow", "apps", "Deployment", "v1"}, {"apps", "gone", "apps", "Deployment", "v1"}}, {});
  CHECK_FALSE(summary.all_current);
  REQUIRE(summary.pending.size() == 2);
  CHECK(summary.pending[1] == "Deployment/apps/gone status: 'NotFound'");
}

TEST_CASE("source ACLs") {
  runtime::testing::FakeClient client;
  KustomizationOptions options;
  options.no_cross_namespace_refs = true;
  auto ks = Kustomization(R"({"sourceRef":{"kind":"GitRepository","name":"repo","namespace":"other"}})");
  auto denied = ResolveSource(client, ks, options);
  CHECK(denied.outcome == ResolvedSource::Outcome::kAccessDenied);
  CHECK(denied.message == "can't access 'GitRepository/other/repo', cross-namespace references have been blocked");
  auto ea = ResolveSource(client, Kustomization(R"({"sourceRef":{"kind":"ExternalArtifact","name":"x"}})"), {});
  CHECK(ea.message == "can't access 'ExternalArtifact/flux-system/x', ExternalArtifact feature gate is disabled");
  auto missing = ResolveSource(client, Kustomization(R"({"sourceRef":{"kind":"GitRepository","name":"repo"}})"), {});
  CHECK(missing.outcome == ResolvedSource::Outcome::kNotFound);
}

TEST_CASE("deletionPolicy decides whether the inventory is deleted") {
  CHECK(ShouldDeleteResources(Kustomization(R"({"prune":true})")));
  CHECK_FALSE(ShouldDeleteResources(Kustomization(R"({"prune":false})")));
  CHECK(ShouldDeleteResources(Kustomization(R"({"prune":false,"deletionPolicy":"Delete"})")));
  CHECK_FALSE(ShouldDeleteResources(Kustomization(R"({"prune":true,"deletionPolicy":"Orphan"})")));
  CHECK_FALSE(ShouldDeleteResources(Kustomization(R"({"prune":true,"suspend":true})")));
}

TEST_CASE("spec.ignore selects paths by target") {
  auto rules = CompileIgnoreRules(Kustomization(
      R"({"ignore":[{"paths":["/spec/replicas"],"target":{"kind":"Deployment","name":"pod.*"}}]})"));
  REQUIRE(rules.ok());
  auto deploy = Parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"podinfo"}})");
  auto other = Parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"xpodinfo"}})");
  CHECK((*rules)(deploy) == std::vector<std::string>{"/spec/replicas"});
  CHECK((*rules)(other).empty());
  CHECK_FALSE(CompileIgnoreRules(Kustomization(R"({"ignore":[{"paths":["/a"],"target":{"kind":"("}}]})")).ok());
}
