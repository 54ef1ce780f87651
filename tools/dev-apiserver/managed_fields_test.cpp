#include "tools/dev-apiserver/managed_fields.h"

#include <catch2/catch.hpp>

#include "libs/apimachinery/semantic_equal.h"
#include "libs/object/yaml.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/builtin_kinds.h"

using namespace fluxcpp::devapiserver;
using fluxcpp::object::Value;

namespace {

ResourceInfo Deployments() {
  for (ResourceInfo& r : BuiltinResources()) {
    if (r.plural == "deployments") return r;
  }
  FAIL("no deployments");
  return {};
}

FieldManagerContext Ctx(const std::string& manager) {
  return {manager, "apps/v1", "", true, "2026-01-01T00:00:00Z"};
}

Value Yaml(const std::string& text) { return *fluxcpp::object::ParseYaml(text); }

const Value& ManagerFields(const Value& obj, const std::string& manager) {
  for (const Value& e : obj["metadata"]["managedFields"]) {
    if (e["manager"] == manager) return e["fieldsV1"];
  }
  FAIL("no entry for " << manager);
  static Value none;
  return none;
}

constexpr const char* kA = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    spec:
      containers:
      - name: app
        image: nginx:1
        env: [{name: A, value: "1"}]
        ports: [{containerPort: 80}]
)";

constexpr const char* kB = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: app
        env: [{name: B, value: "2"}]
      - name: sidecar
        image: busybox
)";

}  // namespace

TEST_CASE("apply merges containers and env vars of two managers") {
  ResourceInfo r = Deployments();
  REQUIRE(r.builtin_schema != nullptr);
  auto first = ServerSideApply(r, nullptr, Yaml(kA), Ctx("a"), false);
  REQUIRE(first.ok());
  auto second = ServerSideApply(r, &*first, Yaml(kB), Ctx("b"), false);
  REQUIRE(second.ok());
  const Value& containers = (*second)["spec"]["template"]["spec"]["containers"];
  CHECK(fluxcpp::apimachinery::SemanticallyEqual(containers, Value::parse(R"([
      {"name":"app","image":"nginx:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":80}]},
      {"name":"sidecar","image":"busybox"}])")));
  // Ownership per item and per item field, in kube's fieldsV1 spelling.
  const Value& a = ManagerFields(*second, "a");
  const Value& app = a["f:spec"]["f:template"]["f:spec"]["f:containers"][R"(k:{"name":"app"})"];
  CHECK(app.contains("."));
  CHECK(app.contains("f:image"));
  CHECK(app["f:ports"].contains(R"(k:{"containerPort":80,"protocol":"TCP"})"));
  CHECK(app["f:env"].contains(R"(k:{"name":"A"})"));
  const Value& b = ManagerFields(*second, "b");
  const Value& b_containers = b["f:spec"]["f:template"]["f:spec"]["f:containers"];
  CHECK(b_containers[R"(k:{"name":"app"})"]["f:env"].contains(R"(k:{"name":"B"})"));
  CHECK(!b_containers[R"(k:{"name":"app"})"].contains("f:image"));
  CHECK(b_containers.contains(R"(k:{"name":"sidecar"})"));

  // b stops applying its env var and the sidecar: only those go.
  auto third = ServerSideApply(r, &*second, Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx:1
)"),
                               Ctx("b"), false);
  REQUIRE(third.ok());
  CHECK(fluxcpp::apimachinery::SemanticallyEqual(
      (*third)["spec"]["template"]["spec"]["containers"],
      Value::parse(R"([{"name":"app","image":"nginx:1","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":80}]}])")));

  // a drops its env var and port: the lists go (nobody else owns items).
  auto fourth = ServerSideApply(r, &*third, Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    spec:
      containers:
      - name: app
        image: nginx:1
)"),
                                Ctx("a"), false);
  REQUIRE(fourth.ok());
  CHECK((*fourth)["spec"]["template"]["spec"]["containers"] ==
        Value::parse(R"([{"name":"app","image":"nginx:1"}])"));
}

TEST_CASE("conflicts are per list item field") {
  ResourceInfo r = Deployments();
  auto first = ServerSideApply(r, nullptr, Yaml(kA), Ctx("a"), false);
  REQUIRE(first.ok());
  // Adding a container and an env var next to a's: no conflict.
  REQUIRE(ServerSideApply(r, &*first, Yaml(kB), Ctx("b"), false).ok());
  // Changing a's image: conflict naming the item.
  Value change = Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: app, image: "nginx:2"}]}}}
)");
  auto conflict = ServerSideApply(r, &*first, change, Ctx("b"), false);
  REQUIRE(!conflict.ok());
  CHECK(std::string(conflict.status().message()) ==
        R"(Apply failed with 1 conflict: conflict with "a" using apps/v1: .spec.template.spec.containers[name="app"].image)");
  auto forced = ServerSideApply(r, &*first, change, Ctx("b"), true);
  REQUIRE(forced.ok());
  CHECK((*forced)["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:2");
  const Value& a = ManagerFields(*forced, "a");
  CHECK(!a["f:spec"]["f:template"]["f:spec"]["f:containers"][R"(k:{"name":"app"})"].contains("f:image"));
  // Same value: shared ownership, no conflict.
  Value same = Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {template: {spec: {containers: [{name: app, image: "nginx:1"}]}}}
)");
  CHECK(ServerSideApply(r, &*first, same, Ctx("b"), false).ok());
}

TEST_CASE("updates own the list items they change") {
  ResourceInfo r = Deployments();
  auto applied = ServerSideApply(r, nullptr, Yaml(kA), Ctx("a"), false);
  REQUIRE(applied.ok());
  Value updated = *applied;
  updated["spec"]["template"]["spec"]["containers"][0]["env"].push_back({{"name", "C"}, {"value", "3"}});
  updated["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:9";
  RecordUpdate(r, &*applied, updated, Ctx("editor"));
  const Value& editor = ManagerFields(updated, "editor");
  const Value& app = editor["f:spec"]["f:template"]["f:spec"]["f:containers"][R"(k:{"name":"app"})"];
  CHECK(app.contains("f:image"));
  CHECK(app["f:env"].contains(R"(k:{"name":"C"})"));
  CHECK(!app["f:env"].contains(R"(k:{"name":"A"})"));
  // The image moved from a to the editor; a keeps its env var.
  const Value& a = ManagerFields(updated, "a");
  CHECK(!a["f:spec"]["f:template"]["f:spec"]["f:containers"][R"(k:{"name":"app"})"].contains("f:image"));
  CHECK(a["f:spec"]["f:template"]["f:spec"]["f:containers"][R"(k:{"name":"app"})"]["f:env"].contains(
      R"(k:{"name":"A"})"));
}

TEST_CASE("custom resources follow x-kubernetes-list-type") {
  ResourceInfo r;
  r.group = "test.io";
  r.version = "v1";
  r.kind = "Widget";
  r.plural = "widgets";
  r.custom = true;
  r.schema = std::make_shared<const Value>(Value::parse(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
    "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["id"],
      "items":{"type":"object","properties":{"id":{"type":"string"},"v":{"type":"integer"}}}},
    "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
    "plain":{"type":"array","items":{"type":"string"}}}}}})"));
  FieldManagerContext ctx{"a", "test.io/v1", "", false, "now"};
  auto one = ServerSideApply(
      r, nullptr,
      Value::parse(R"({"apiVersion":"test.io/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"items":[{"id":"x","v":1}],"tags":["t1"],"plain":["p1"]}})"),
      ctx, false);
  REQUIRE(one.ok());
  ctx.manager = "b";
  auto two = ServerSideApply(
      r, &*one,
      Value::parse(R"({"apiVersion":"test.io/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"items":[{"id":"y","v":2}],"tags":["t2"]}})"),
      ctx, false);
  REQUIRE(two.ok());
  CHECK((*two)["spec"] == Value::parse(R"({"items":[{"id":"x","v":1},{"id":"y","v":2}],"tags":["t1","t2"],"plain":["p1"]})"));
  CHECK(ManagerFields(*two, "b")["f:spec"]["f:tags"].contains(R"(v:"t2")"));
  // An atomic list owned by a: b replacing it conflicts.
  auto clash = ServerSideApply(
      r, &*two,
      Value::parse(R"({"apiVersion":"test.io/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"plain":["p2"]}})"), ctx,
      false);
  REQUIRE(!clash.ok());
  CHECK(HttpCodeOf(clash.status()) == 409);
}

TEST_CASE("apply configurations with incomplete list keys are rejected") {
  ResourceInfo r = Deployments();
  auto bad = ServerSideApply(r, nullptr, Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec: {template: {spec: {containers: [{image: nginx}]}}}
)"),
                             Ctx("a"), false);
  REQUIRE(!bad.ok());
  CHECK(HttpCodeOf(bad.status()) == 400);
  CHECK(std::string(bad.status().message()) ==
        "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: "
        "element 0: associative list with keys has an element that omits key field \"name\" (and doesn't have default "
        "value)");
}

TEST_CASE("a list owned whole by another manager is not pruned item by item") {
  ResourceInfo r = Deployments();
  auto first = ServerSideApply(r, nullptr, Yaml(kA), Ctx("a"), false);
  REQUIRE(first.ok());
  // An older writer recorded the whole containers list as one field.
  Value live = *first;
  live["metadata"]["managedFields"].push_back(Value::parse(
      R"({"manager":"old","operation":"Update","apiVersion":"apps/v1","fieldsType":"FieldsV1",
          "fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{}}}}}})"));
  auto second = ServerSideApply(r, &live, Yaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
)"),
                                Ctx("a"), false);
  REQUIRE(second.ok());
  CHECK((*second)["spec"]["template"]["spec"]["containers"].size() == 1);
}
