#include "tools/dev-apiserver/object_service.h"

#include <catch2/catch.hpp>

#include "libs/object/yaml.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/garbage_collector.h"

using namespace fluxcpp::devapiserver;
using fluxcpp::object::Value;

namespace {

struct Fixture {
  std::unique_ptr<Store> store = std::move(*Store::Open({}));
  ResourceRegistry registry;
  ObjectService service{*store, registry};
  GarbageCollector gc{service};

  Fixture() {
    service.set_observer(&gc);
    REQUIRE(service.Bootstrap().ok());
  }

  RequestScope Scope(const std::string& group, const std::string& version, const std::string& plural,
                     const std::string& ns = "", const std::string& name = "", const std::string& sub = "") {
    ResourcePtr r = registry.Find(group, version, plural);
    REQUIRE(r != nullptr);
    return {r, ns, name, sub, "test", false};
  }

  Value Create(const RequestScope& scope, const std::string& yaml) {
    auto result = service.Create(scope, *fluxcpp::object::ParseYaml(yaml));
    INFO(result.status().message());
    REQUIRE(result.ok());
    return Value::parse(*result->json);
  }

  Value Get(const RequestScope& scope) {
    auto json = service.Get(scope);
    INFO(json.status().message());
    REQUIRE(json.ok());
    return Value::parse(**json);
  }

  bool Exists(const RequestScope& scope) { return service.Get(scope).ok(); }
};

constexpr const char* kCrd = R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.test.io}
spec:
  group: test.io
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              interval: {type: string, default: 5m}
          status:
            type: object
            default: {observedGeneration: -1}
            properties:
              observedGeneration: {type: integer}
  - name: v1beta1
    served: true
    storage: false
)";

}  // namespace

TEST_CASE("default namespaces exist") {
  Fixture f;
  for (const char* ns : {"default", "kube-system", "kube-public"}) {
    CHECK(f.Get(f.Scope("", "v1", "namespaces", "", ns))["status"]["phase"] == "Active");
  }
}

TEST_CASE("create validates like kube-apiserver") {
  Fixture f;
  auto cms = f.Scope("", "v1", "configmaps", "default");
  Value cm = f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: '1'}");
  CHECK(cm["metadata"]["namespace"] == "default");
  CHECK(cm["metadata"]["uid"].get<std::string>().size() == 36);
  CHECK(!cm["metadata"].contains("generation"));
  auto dup = f.service.Create(cms, *fluxcpp::object::ParseYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}"));
  CHECK(ReasonOf(dup.status()) == "AlreadyExists");
  CHECK(std::string(dup.status().message()) == "configmaps \"a\" already exists");
  auto bad = f.service.Create(cms, *fluxcpp::object::ParseYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}"));
  CHECK(ReasonOf(bad.status()) == "Invalid");
  CHECK(HttpCodeOf(bad.status()) == 422);
  auto ghost = f.service.Create(f.Scope("", "v1", "configmaps", "ghost"),
                                *fluxcpp::object::ParseYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}"));
  CHECK(std::string(ghost.status().message()) == "namespaces \"ghost\" not found");
  auto mismatch = f.service.Create(
      cms, *fluxcpp::object::ParseYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: other}"));
  CHECK(ReasonOf(mismatch.status()) == "BadRequest");
  Value generated = f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-}");
  CHECK(generated["metadata"]["name"].get<std::string>().size() == 9);
  Value secret = f.Create(f.Scope("", "v1", "secrets", "default"),
                          "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2}");
  CHECK(secret["data"]["password"] == "aHVudGVyMg==");
  CHECK(!secret.contains("stringData"));
  CHECK(secret["type"] == "Opaque");
}

TEST_CASE("update: conflicts, generation, status subresource") {
  Fixture f;
  auto deploys = f.Scope("apps", "v1", "deployments", "default");
  Value d = f.Create(deploys, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\nstatus: {replicas: 9}");
  CHECK(d["metadata"]["generation"] == 1);
  CHECK(d["status"] == Value::object());
  auto one = f.Scope("apps", "v1", "deployments", "default", "web");
  Value stale = d;
  d["spec"]["replicas"] = 2;
  d["status"] = {{"replicas", 5}};
  auto updated = f.service.Update(one, d);
  REQUIRE(updated.ok());
  Value u = Value::parse(*updated->json);
  CHECK(u["metadata"]["generation"] == 2);
  CHECK(u["status"] == Value::object());  // main resource ignores status
  stale["spec"]["replicas"] = 3;
  auto conflict = f.service.Update(one, stale);
  CHECK(ReasonOf(conflict.status()) == "Conflict");
  CHECK(std::string(conflict.status().message()) ==
        "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your "
        "changes to the latest version and try again");
  stale["metadata"]["resourceVersion"] = "";
  CHECK(f.service.Update(one, stale).ok());  // unconditional
  auto status = f.Scope("apps", "v1", "deployments", "default", "web", "status");
  Value s = f.Get(one);
  s["status"] = {{"readyReplicas", 3}};
  s["spec"]["replicas"] = 10;
  auto st = f.service.Update(status, s);
  REQUIRE(st.ok());
  Value after = Value::parse(*st->json);
  CHECK(after["status"]["readyReplicas"] == 3);
  CHECK(after["spec"]["replicas"] == 3);  // status writes ignore the rest
  CHECK(after["metadata"]["generation"] == 3);
  // A no-op update keeps the resource version.
  auto again = f.service.Update(one, after);
  CHECK(Value::parse(*again->json)["metadata"]["resourceVersion"] == after["metadata"]["resourceVersion"]);
}

TEST_CASE("patches") {
  Fixture f;
  f.Create(f.Scope("apps", "v1", "deployments", "default"), R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - {name: a, image: x:1}
      - {name: b, image: y:1})");
  auto one = f.Scope("apps", "v1", "deployments", "default", "web");
  auto r = f.service.Patch(one, PatchType::kStrategic, R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"y:2"}]}}}})", false);
  REQUIRE(r.ok());
  Value v = Value::parse(*r->json);
  CHECK(v["spec"]["template"]["spec"]["containers"].size() == 2);
  CHECK(v["spec"]["template"]["spec"]["containers"][1]["image"] == "y:2");
  r = f.service.Patch(one, PatchType::kMerge, R"({"metadata":{"labels":{"x":"1"}}})", false);
  CHECK(Value::parse(*r->json)["metadata"]["generation"] == 2);  // metadata changes do not bump
  r = f.service.Patch(one, PatchType::kJson, R"([{"op":"test","path":"/metadata/resourceVersion","value":"1"}])", false);
  CHECK(HttpCodeOf(r.status()) == 422);
  r = f.service.Patch(one, PatchType::kMerge, R"({"metadata":{"resourceVersion":"1"}})", false);
  CHECK(ReasonOf(r.status()) == "Conflict");
  r = f.service.Patch(f.Scope("apps", "v1", "deployments", "default", "nope"), PatchType::kMerge, "{}", false);
  CHECK(ReasonOf(r.status()) == "NotFound");
}

TEST_CASE("server-side apply tracks and removes fields") {
  Fixture f;
  auto one = f.Scope("", "v1", "configmaps", "default", "cfg");
  one.field_manager = "flux";
  auto r = f.service.Patch(one, PatchType::kApply,
                           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, labels: {a: '1'}}\ndata: {x: '1', y: '2'}",
                           false);
  REQUIRE(r.ok());
  CHECK(r->http_code == 201);
  // Another manager takes data.z with an update.
  auto other = f.Scope("", "v1", "configmaps", "default", "cfg");
  other.field_manager = "kubectl-edit";
  REQUIRE(f.service.Patch(other, PatchType::kMerge, R"({"data":{"z":"3"}})", false).ok());
  // Re-apply without y and without the label: both go, z (owned elsewhere) stays.
  r = f.service.Patch(one, PatchType::kApply, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {x: '1'}",
                      false);
  REQUIRE(r.ok());
  Value v = Value::parse(*r->json);
  CHECK(v["data"] == Value::parse(R"({"x":"1","z":"3"})"));
  CHECK(!v["metadata"].contains("labels"));
  REQUIRE(v["metadata"]["managedFields"].size() == 2);
  // Conflict: changing a field another manager owns.
  r = f.service.Patch(one, PatchType::kApply, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {x: '1', z: '9'}",
                      false);
  CHECK(ReasonOf(r.status()) == "Conflict");
  CHECK(std::string(r.status().message()) == "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1: .data.z");
  r = f.service.Patch(one, PatchType::kApply, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {x: '1', z: '9'}",
                      true);
  REQUIRE(r.ok());
  v = Value::parse(*r->json);
  CHECK(v["data"]["z"] == "9");
  // A forced takeover moves ownership: kubectl-edit no longer owns anything.
  CHECK(v["metadata"]["managedFields"].size() == 1);
  // Re-applying the same config is a no-op.
  std::string rv = v["metadata"]["resourceVersion"];
  r = f.service.Patch(one, PatchType::kApply, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {x: '1', z: '9'}",
                      false);
  CHECK(Value::parse(*r->json)["metadata"]["resourceVersion"] == rv);
  one.field_manager = "";
  CHECK(HttpCodeOf(f.service.Patch(one, PatchType::kApply, "apiVersion: v1\nkind: ConfigMap", false).status()) == 422);
}

TEST_CASE("finalizers, propagation and garbage collection") {
  Fixture f;
  auto cms = f.Scope("", "v1", "configmaps", "default");
  Value owner = f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner, finalizers: [x/y]}");
  std::string uid = owner["metadata"]["uid"];
  f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: child, ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner, uid: " + uid + "}]}");
  auto one = f.Scope("", "v1", "configmaps", "default", "owner");
  auto del = f.service.Delete(one, {});
  REQUIRE(del.ok());
  CHECK(!del->deleted);
  Value held = f.Get(one);
  CHECK(held["metadata"].contains("deletionTimestamp"));
  // Removing the last finalizer deletes it; the GC then deletes the dependent.
  REQUIRE(f.service.Patch(one, PatchType::kMerge, R"({"metadata":{"finalizers":null}})", false).ok());
  CHECK(!f.Exists(one));
  f.gc.RunOnce(false);
  CHECK(!f.Exists(f.Scope("", "v1", "configmaps", "default", "child")));

  // Orphan: dependents lose the reference and stay.
  owner = f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner2}");
  uid = owner["metadata"]["uid"];
  f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: child2, ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner2, uid: " + uid + "}]}");
  REQUIRE(f.service.Delete(f.Scope("", "v1", "configmaps", "default", "owner2"), {"Orphan", "", ""}).ok());
  f.gc.RunOnce(false);
  CHECK(!f.Exists(f.Scope("", "v1", "configmaps", "default", "owner2")));
  Value child2 = f.Get(f.Scope("", "v1", "configmaps", "default", "child2"));
  CHECK(!child2["metadata"].contains("ownerReferences"));

  // Foreground: dependents go first.
  owner = f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owner3}");
  uid = owner["metadata"]["uid"];
  f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: child3, ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: owner3, uid: " + uid + "}]}");
  REQUIRE(f.service.Delete(f.Scope("", "v1", "configmaps", "default", "owner3"), {"Foreground", "", ""}).ok());
  CHECK(f.Exists(f.Scope("", "v1", "configmaps", "default", "owner3")));
  f.gc.RunOnce(false);
  f.gc.RunOnce(false);
  CHECK(!f.Exists(f.Scope("", "v1", "configmaps", "default", "child3")));
  CHECK(!f.Exists(f.Scope("", "v1", "configmaps", "default", "owner3")));

  // Dangling owner references are collected by the sweep.
  f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: orphan, ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: gone, uid: 'dead-beef'}]}");
  f.gc.RunOnce(true);
  CHECK(!f.Exists(f.Scope("", "v1", "configmaps", "default", "orphan")));

  // Preconditions.
  auto pre = f.service.Delete(f.Scope("", "v1", "configmaps", "default", "child2"), {"", "wrong-uid", ""});
  CHECK(ReasonOf(pre.status()) == "Conflict");
}

TEST_CASE("namespace deletion empties it first") {
  Fixture f;
  f.Create(f.Scope("", "v1", "namespaces"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}");
  auto cms = f.Scope("", "v1", "configmaps", "team");
  f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}");
  f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [x/y]}");
  auto ns = f.Scope("", "v1", "namespaces", "", "team");
  REQUIRE(f.service.Delete(ns, {}).ok());
  CHECK(f.Get(ns)["status"]["phase"] == "Terminating");
  auto create = f.service.Create(cms, *fluxcpp::object::ParseYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: late}"));
  CHECK(ReasonOf(create.status()) == "Forbidden");
  f.gc.RunOnce(false);
  CHECK(!f.Exists(f.Scope("", "v1", "configmaps", "team", "a")));
  CHECK(f.Exists(ns));  // held by the finalizer of its content
  REQUIRE(f.service.Patch(f.Scope("", "v1", "configmaps", "team", "held"), PatchType::kMerge,
                          R"({"metadata":{"finalizers":[]}})", false)
              .ok());
  f.gc.RunOnce(false);
  CHECK(!f.Exists(ns));
}

TEST_CASE("CRDs register, default and clean up") {
  Fixture f;
  Value crd = f.Create(f.Scope("apiextensions.k8s.io", "v1", "customresourcedefinitions"), kCrd);
  CHECK(crd["status"]["conditions"][1]["type"] == "Established");
  CHECK(crd["status"]["acceptedNames"]["kind"] == "Widget");
  REQUIRE(f.registry.Find("test.io", "v1", "widgets") != nullptr);
  REQUIRE(f.registry.Find("test.io", "v1beta1", "widgets") != nullptr);
  auto ws = f.Scope("test.io", "v1", "widgets", "default");
  Value w = f.Create(ws, "apiVersion: test.io/v1\nkind: Widget\nmetadata: {name: w}\nspec: {}\nstatus: {observedGeneration: 5}");
  CHECK(w["spec"]["interval"] == "5m");
  CHECK(w["status"]["observedGeneration"] == -1);
  CHECK(w["metadata"]["generation"] == 1);
  // The other served version reads the same object.
  Value beta = f.Get(f.Scope("test.io", "v1beta1", "widgets", "default", "w"));
  CHECK(beta["apiVersion"] == "test.io/v1beta1");
  // Strategic merge patch is not for custom resources.
  auto smp = f.service.Patch(f.Scope("test.io", "v1", "widgets", "default", "w"), PatchType::kStrategic, "{}", false);
  CHECK(HttpCodeOf(smp.status()) == 415);
  auto bad = f.service.Create(f.Scope("apiextensions.k8s.io", "v1", "customresourcedefinitions"),
                              *fluxcpp::object::ParseYaml("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x.test.io}\nspec: {group: test.io, scope: Namespaced, names: {kind: X, plural: xs}, versions: [{name: v1, served: true, storage: true}]}"));
  CHECK(ReasonOf(bad.status()) == "Invalid");
  // Deleting the CRD deletes its objects, then the resource disappears.
  REQUIRE(f.service.Delete(f.Scope("apiextensions.k8s.io", "v1", "customresourcedefinitions", "", "widgets.test.io"), {}).ok());
  f.gc.RunOnce(false);
  f.gc.RunOnce(false);
  CHECK(f.registry.Find("test.io", "v1", "widgets") == nullptr);
  CHECK(f.store->KeysOf("widgets.test.io").empty());
}

TEST_CASE("dry run stores nothing") {
  Fixture f;
  auto cms = f.Scope("", "v1", "configmaps", "default");
  cms.dry_run = true;
  auto r = f.service.Create(cms, *fluxcpp::object::ParseYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}"));
  REQUIRE(r.ok());
  CHECK(Value::parse(*r->json)["metadata"]["name"] == "dry");
  cms.dry_run = false;
  CHECK(!f.Exists(f.Scope("", "v1", "configmaps", "default", "dry")));
}

TEST_CASE("lists with selectors and pages") {
  Fixture f;
  auto cms = f.Scope("", "v1", "configmaps", "default");
  for (int i = 0; i < 5; ++i) {
    f.Create(cms, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c" + std::to_string(i) +
                      ", labels: {tier: " + (i % 2 ? "odd" : "even") + "}}");
  }
  ListOptions options;
  options.labels = *fluxcpp::apimachinery::LabelSelector::Parse("tier=even");
  auto list = f.service.List(cms, options);
  CHECK(list->items.size() == 3);
  options = {};
  options.limit = 2;
  list = f.service.List(cms, options);
  REQUIRE(list->items.size() == 2);
  REQUIRE(!list->continue_token.empty());
  options.continue_token = list->continue_token;
  auto next = f.service.List(cms, options);
  CHECK(Value::parse(*next->items[0])["metadata"]["name"] == "c2");
  options = {};
  options.fields = *fluxcpp::apimachinery::FieldSelector::Parse("metadata.name=c3");
  CHECK(f.service.List(cms, options)->items.size() == 1);
  CHECK(f.service.List(f.Scope("", "v1", "configmaps"), options)->items.size() == 1);  // all namespaces
}

TEST_CASE("scale subresource") {
  Fixture f;
  f.Create(f.Scope("apps", "v1", "deployments", "default"),
           "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2, selector: {matchLabels: {app: web}}}");
  auto scale = f.Scope("apps", "v1", "deployments", "default", "web", "scale");
  Value s = Value::parse(**f.service.GetScale(scale));
  CHECK(s["kind"] == "Scale");
  CHECK(s["spec"]["replicas"] == 2);
  CHECK(s["status"]["selector"] == "app=web");
  auto r = f.service.PatchScale(scale, PatchType::kMerge, R"({"spec":{"replicas":4}})");
  REQUIRE(r.ok());
  CHECK(Value::parse(*r->json)["spec"]["replicas"] == 4);
  Value d = f.Get(f.Scope("apps", "v1", "deployments", "default", "web"));
  CHECK(d["spec"]["replicas"] == 4);
  CHECK(d["metadata"]["generation"] == 2);
  s["spec"]["replicas"] = 1;  // stale resourceVersion
  CHECK(ReasonOf(f.service.UpdateScale(scale, s).status()) == "Conflict");
  s["metadata"].erase("resourceVersion");
  REQUIRE(f.service.UpdateScale(scale, s).ok());
  CHECK(f.Get(f.Scope("apps", "v1", "deployments", "default", "web"))["spec"]["replicas"] == 1);
}
