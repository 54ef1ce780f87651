#include "libs/envsubst/resource_substitution.h"

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "libs/object/yaml.h"

namespace es = fluxcpp::envsubst;
using fluxcpp::object::Value;
using Vars = std::map<std::string, std::string>;

namespace {

Value Yaml(const char* text) {
  auto v = fluxcpp::object::ParseYaml(text);
  REQUIRE(v.ok());
  return *v;
}

const char* kDeployment = R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${cluster_env:=dev}
  namespace: apps
  labels:
    enabled: ${enabled}
spec:
  replicas: ${replicas}
  template:
    spec:
      containers:
      - name: app
        image: ghcr.io/org/app:${tag}
        args: ["--level=${level:-info}"]
)";

}  // namespace

TEST_CASE("values become typed after substitution") {
  auto out = es::SubstituteResource(
      Yaml(kDeployment),
      {{"replicas", "3"}, {"enabled", "true"}, {"tag", "1.2.3"}, {"cluster_env", "prod"}},
      /*strict=*/true, /*always=*/false);
  REQUIRE(out.ok());
  CHECK((*out)["spec"]["replicas"] == 3);
  CHECK((*out)["spec"]["replicas"].is_number_integer());
  CHECK((*out)["metadata"]["labels"]["enabled"] == true);
  CHECK((*out)["metadata"]["name"] == "app-prod");
  CHECK((*out)["spec"]["template"]["spec"]["containers"][0]["image"] == "ghcr.io/org/app:1.2.3");
  CHECK((*out)["spec"]["template"]["spec"]["containers"][0]["args"][0] == "--level=info");
}

TEST_CASE("strict mode errors with the controller's wording") {
  auto out = es::SubstituteResource(Yaml(kDeployment), {{"replicas", "3"}}, true, false);
  REQUIRE_FALSE(out.ok());
  CHECK(
      out.status().message() ==
      "envsubst error: variable substitution failed: variable not set (strict mode): \"enabled\"");
  absl::Status wrapped = es::PostBuildError(Yaml(kDeployment), out.status());
  CHECK(wrapped.message() ==
        "post build failed for 'Deployment.v1.apps/app-${cluster_env:=dev}': envsubst error: "
        "variable "
        "substitution failed: variable not set (strict mode): \"enabled\"");
}

TEST_CASE("non-strict renders undefined as empty") {
  auto out = es::SubstituteResource(Yaml(kDeployment), {{"tag", "v1"}}, false, false);
  REQUIRE(out.ok());
  CHECK((*out)["spec"]["replicas"].is_null());
  CHECK((*out)["metadata"]["labels"]["enabled"].is_null());
  CHECK((*out)["metadata"]["name"] == "app-dev");
}

TEST_CASE("strategy: WithVariables skips with zero vars, Always runs") {
  Value cm = Yaml(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {env: '${env:=staging}'}\n");
  auto skipped = es::SubstituteResource(cm, {}, true, false);
  REQUIRE(skipped.ok());
  CHECK((*skipped)["data"]["env"] == "${env:=staging}");
  auto always = es::SubstituteResource(cm, {}, true, true);
  REQUIRE(always.ok());
  CHECK((*always)["data"]["env"] == "staging");
}

TEST_CASE("disabled resources are left alone") {
  Value labelled = Yaml(R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: {kustomize.toolkit.fluxcd.io/substitute: disabled}
data: {script: 'echo ${HOME}'}
)");
  CHECK(es::IsSubstitutionDisabled(labelled));
  auto out = es::SubstituteResource(labelled, {{"bad-name", "x"}}, true, true);
  REQUIRE(out.ok());
  CHECK(*out == labelled);

  Value annotated = Yaml(R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations: {kustomize.toolkit.fluxcd.io/substitute: disabled}
)");
  CHECK(es::IsSubstitutionDisabled(annotated));
  Value other_case = Yaml(R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations: {kustomize.toolkit.fluxcd.io/substitute: Disabled}
)");
  CHECK_FALSE(es::IsSubstitutionDisabled(other_case));
}

TEST_CASE("escaped expressions survive") {
  Value cm = Yaml(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {tpl: '$${literal} ${v}'}\n");
  auto out = es::SubstituteResource(cm, {{"v", "x"}}, true, false);
  REQUIRE(out.ok());
  CHECK((*out)["data"]["tpl"] == "${literal} x");
}

TEST_CASE("quoted strings stay strings unless substituted") {
  Value cm =
      Yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 'true', b: '${b}'}\n");
  auto out = es::SubstituteResource(cm, {{"b", "42"}}, true, false);
  REQUIRE(out.ok());
  CHECK((*out)["data"]["a"] == "true");
  // As in Flux: a substituted number loses its quotes (use a quoting variable).
  CHECK((*out)["data"]["b"] == 42);
}

TEST_CASE("invalid var names") {
  Value cm = Yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  auto out = es::SubstituteResource(cm, {{"ok", "1"}, {"not-ok", "2"}}, true, false);
  REQUIRE_FALSE(out.ok());
  CHECK(out.status().message() ==
        "envsubst error: 'not-ok' var name is invalid, must match "
        "'^[_[:alpha:]][_[:alpha:][:digit:]]*$'");
  CHECK_FALSE(es::NormalizeVars({{"1x", "v"}}).ok());
}

TEST_CASE("newlines are stripped from values") {
  auto vars = es::NormalizeVars({{"cert", "line1\nline2\n"}, {"crlf", "a\r\nb"}});
  REQUIRE(vars.ok());
  CHECK(vars->at("cert") == "line1line2");
  CHECK(vars->at("crlf") == "a\rb");
  CHECK(es::StripNewlines({{"a", "\n\n"}}).at("a").empty());
}

TEST_CASE("broken YAML after substitution") {
  Value cm = Yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '${v}'}\n");
  auto out = es::SubstituteResource(cm, {{"v", "[unclosed"}}, true, false);
  REQUIRE_FALSE(out.ok());
  CHECK(absl::StartsWith(std::string(out.status().message()), "envsubst error: YAMLToJSON: "));
}

TEST_CASE("gvk strings") {
  CHECK(es::KustomizeGvkString(Yaml("apiVersion: v1\nkind: ConfigMap\n")) ==
        "ConfigMap.v1.[noGrp]");
  CHECK(es::KustomizeGvkString(
            Yaml("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n")) ==
        "Kustomization.v1.kustomize.toolkit.fluxcd.io");
}
