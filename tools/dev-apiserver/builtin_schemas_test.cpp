#include "tools/dev-apiserver/builtin_schemas.h"

#include <catch2/catch.hpp>

#include "libs/apimachinery/semantic_equal.h"
#include "libs/object/yaml.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/object_service.h"
#include "tools/dev-apiserver/openapi.h"

using namespace fluxcpp::devapiserver;
using fluxcpp::object::Value;

TEST_CASE("built-in schemas are complete and resolve") {
  for (const auto& [group, kind] : std::vector<std::pair<std::string, std::string>>{
           {"apps", "Deployment"}, {"", "Service"}, {"", "ConfigMap"}, {"", "Secret"}, {"", "Namespace"}, {"", "Pod"},
           {"batch", "Job"}, {"", "ServiceAccount"}, {"rbac.authorization.k8s.io", "Role"},
           {"rbac.authorization.k8s.io", "ClusterRoleBinding"}}) {
    INFO(kind);
    std::string name = BuiltinSchemaName(group, "v1", kind);
    REQUIRE(!name.empty());
    // Every reference of the closure is defined.
    for (const std::string& dep : BuiltinSchemaClosure({name})) CHECK(BuiltinSchemaDefinitions().count(dep) == 1);
    auto inlined = InlinedBuiltinSchema(group, "v1", kind);
    REQUIRE(inlined != nullptr);
    CHECK(inlined->dump().find("$ref") == std::string::npos);
  }
  CHECK(BuiltinSchemaName("apps", "v1", "Nope").empty());
  const Value& spec = BuiltinSchemaDefinitions().at("io.k8s.api.core.v1.Container");
  const Value& ports = spec["properties"]["ports"];
  CHECK(ports["x-kubernetes-list-type"] == "map");
  CHECK(ports["x-kubernetes-list-map-keys"] == Value::parse(R"(["containerPort","protocol"])"));
  CHECK(ports["x-kubernetes-patch-merge-key"] == "containerPort");
  CHECK(BuiltinSchemaDefinitions().at("io.k8s.api.apps.v1.Deployment")["x-kubernetes-group-version-kind"][0]["kind"] ==
        "Deployment");
}

TEST_CASE("openapi v3 documents publish built-in schemas") {
  ResourceRegistry registry;
  Value doc = OpenApiV3GroupVersion(registry, "apps", "v1");
  const Value& schemas = doc["components"]["schemas"];
  CHECK(schemas.contains("io.k8s.api.apps.v1.Deployment"));
  CHECK(schemas.contains("io.k8s.api.core.v1.PodSpec"));  // referenced from another group
  CHECK(schemas.contains("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
  CHECK(schemas["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["replicas"]["type"] == "integer");
}

TEST_CASE("strict field validation of built-in kinds") {
  auto store = std::move(*Store::Open({}));
  ResourceRegistry registry;
  ObjectService service{*store, registry};
  REQUIRE(service.Bootstrap().ok());
  RequestScope scope{registry.Find("apps", "v1", "deployments"), "default", "", "", "test", false};
  scope.field_validation = "Strict";
  Value bad = *fluxcpp::object::ParseYaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  replicaz: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx, imagePullPolicy: Always, bogus: 1}]}
)");
  auto r = service.Create(scope, bad);
  REQUIRE(!r.ok());
  CHECK(HttpCodeOf(r.status()) == 400);
  CHECK(std::string(r.status().message()) ==
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field "
        "\"spec.replicaz\", unknown field \"spec.template.spec.containers[0].bogus\"");
  // Without Strict the object is accepted (kube drops unknown fields; this server keeps them).
  scope.field_validation = "";
  CHECK(service.Create(scope, bad).ok());
  // Known fields everywhere pass strict validation.
  scope.field_validation = "Strict";
  Value good = *fluxcpp::object::ParseYaml(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: ok, namespace: default, labels: {a: b}}
spec:
  selector: {matchLabels: {app: ok}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: ok}, creationTimestamp: null}
    spec:
      serviceAccountName: sa
      securityContext: {runAsNonRoot: true}
      volumes: [{name: v, configMap: {name: cm}}, {name: s, secret: {secretName: s}}, {name: e, emptyDir: {}}]
      containers:
      - name: app
        image: nginx
        ports: [{containerPort: 80, name: http, protocol: TCP}]
        env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}]
        resources: {limits: {cpu: "1", memory: 1Gi}, requests: {cpu: 100m}}
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 5}
        volumeMounts: [{name: v, mountPath: /etc/v}]
        securityContext: {readOnlyRootFilesystem: true}
)");
  auto ok = service.Create(scope, good);
  INFO(ok.status().message());
  CHECK(ok.ok());
}

TEST_CASE("openapi v2 document in Swagger 2.0 terms") {
  ResourceRegistry registry;
  Value doc = OpenApiV2(registry);
  CHECK(doc["swagger"] == "2.0");
  const Value& defs = doc["definitions"];
  const Value& spec = defs["io.k8s.api.apps.v1.DeploymentSpec"]["properties"];
  CHECK(spec["template"]["$ref"] == "#/definitions/io.k8s.api.core.v1.PodTemplateSpec");
  CHECK(spec["template"]["description"] == "The pods to create.");
  CHECK(fluxcpp::apimachinery::SemanticallyEqual(
      defs["io.k8s.api.core.v1.ServicePort"]["properties"]["targetPort"],
      Value::parse(R"({"type":"string","format":"int-or-string","x-kubernetes-int-or-string":true,"description":"Number or name of the port on the pods."})")));
  CHECK(doc.dump().find("#/components/") == std::string::npos);
  CHECK(doc["paths"].contains("/apis/apps/v1/namespaces/{namespace}/deployments/{name}"));
}
