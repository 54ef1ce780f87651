#include "tools/dev-apiserver/immutable_fields.h"

#include <catch2/catch.hpp>

#include "libs/object/yaml.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/garbage_collector.h"
#include "tools/dev-apiserver/object_service.h"

using namespace fluxcpp::devapiserver;
using fluxcpp::object::Value;

namespace {

struct Fixture {
  std::unique_ptr<Store> store = std::move(*Store::Open({}));
  ResourceRegistry registry;
  ObjectService service{*store, registry};

  Fixture() { REQUIRE(service.Bootstrap().ok()); }

  RequestScope Scope(const std::string& group, const std::string& plural, const std::string& name,
                     const std::string& version = "v1") {
    ResourcePtr r = registry.Find(group, version, plural);
    REQUIRE(r != nullptr);
    return {r, "default", name, "", "flux", false};
  }

  absl::StatusOr<WriteResult> Apply(RequestScope scope, const std::string& yaml, bool dry_run = false) {
    scope.dry_run = dry_run;
    return service.Patch(scope, PatchType::kApply, yaml, /*force=*/true);
  }
};

constexpr const char* kJob = R"(apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: busybox, command: [echo, VERSION]}]
)";

std::string JobWith(const std::string& version) {
  std::string s = kJob;
  s.replace(s.find("VERSION"), 7, version);
  return s;
}

}  // namespace

TEST_CASE("Job spec.template is immutable on apply, dry-run apply, patch and update") {
  Fixture f;
  auto job = f.Scope("batch", "jobs", "migrate");
  REQUIRE(f.Apply(job, JobWith("v1")).ok());
  auto again = f.Apply(job, JobWith("v1"));
  INFO(again.status().message());
  REQUIRE(again.ok());  // unchanged is fine

  auto dry = f.Apply(job, JobWith("v2"), /*dry_run=*/true);
  REQUIRE(!dry.ok());
  CHECK(HttpCodeOf(dry.status()) == 422);
  CHECK(ReasonOf(dry.status()) == "Invalid");
  std::string msg(dry.status().message());
  CHECK(msg.rfind("Job.batch \"migrate\" is invalid: spec.template: Invalid value: {", 0) == 0);
  CHECK(msg.find("\"v2\"") != std::string::npos);
  CHECK(msg.size() > 20);
  CHECK(msg.substr(msg.size() - 20) == ": field is immutable");
  Value details = ToStatusObject(dry.status())["details"];
  CHECK(details["causes"][0]["field"] == "spec.template");

  CHECK(ReasonOf(f.Apply(job, JobWith("v2")).status()) == "Invalid");
  auto patched = f.service.Patch(
      job, PatchType::kJson, R"([{"op":"replace","path":"/spec/template/spec/containers/0/command/1","value":"x"}])",
      false);
  CHECK(ReasonOf(patched.status()) == "Invalid");
  auto completions = f.service.Patch(job, PatchType::kMerge, R"({"spec":{"completions":3}})", false);
  CHECK(std::string(completions.status().message()) ==
        "Job.batch \"migrate\" is invalid: spec.completions: Invalid value: 3: field is immutable");
  // Metadata and status stay writable.
  CHECK(f.service.Patch(job, PatchType::kMerge, R"({"metadata":{"labels":{"a":"b"}}})", false).ok());
  auto status = job;
  status.subresource = "status";
  CHECK(f.service.Patch(status, PatchType::kMerge, R"({"status":{"active":1}})", false).ok());
}

TEST_CASE("workload selectors are immutable") {
  Fixture f;
  auto deploy = f.Scope("apps", "deployments", "web");
  const std::string base = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: SEL}}
  template:
    metadata: {labels: {app: SEL}}
    spec: {containers: [{name: a, image: x}]}
)";
  auto with = [&](const std::string& sel, int replicas = 1) {
    std::string s = base;
    for (size_t p; (p = s.find("SEL")) != std::string::npos;) s.replace(p, 3, sel);
    s.replace(s.find("replicas: 1"), 11, "replicas: " + std::to_string(replicas));
    return s;
  };
  REQUIRE(f.Apply(deploy, with("web")).ok());
  CHECK(f.Apply(deploy, with("web", 3)).ok());
  auto r = f.Apply(deploy, with("other", 3));
  CHECK(std::string(r.status().message()) ==
        "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"other\"}}: "
        "field is immutable");

  auto sts = f.Scope("apps", "statefulsets", "db");
  REQUIRE(f.Apply(sts, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {serviceName: db, "
                       "replicas: 1, selector: {matchLabels: {a: b}}}")
              .ok());
  CHECK(f.Apply(sts, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {serviceName: db, "
                     "replicas: 4, selector: {matchLabels: {a: b}}}")
            .ok());
  r = f.Apply(sts, "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {serviceName: db2, "
                   "replicas: 4, selector: {matchLabels: {a: b}}}");
  CHECK(std::string(r.status().message()).find("StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to "
                                               "statefulset spec for fields other than 'replicas'") == 0);
}

TEST_CASE("Service clusterIP, PVC spec, immutable ConfigMaps and Secret type") {
  Fixture f;
  auto svc = f.Scope("", "services", "web");
  REQUIRE(f.Apply(svc, "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.96.0.10, "
                       "ports: [{port: 80}]}")
              .ok());
  CHECK(f.Apply(svc, "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 81}]}").ok());
  auto r = f.Apply(svc, "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.96.0.11, "
                        "ports: [{port: 81}]}");
  CHECK(std::string(r.status().message()) ==
        "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.96.0.11\"]: may not change once set");

  auto pvc = f.Scope("", "persistentvolumeclaims", "data");
  const std::string pvc_yaml = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec: "
                               "{accessModes: [MODE], resources: {requests: {storage: SIZE}}}";
  auto pvc_with = [&](const std::string& mode, const std::string& size) {
    std::string s = pvc_yaml;
    s.replace(s.find("MODE"), 4, mode);
    s.replace(s.find("SIZE"), 4, size);
    return s;
  };
  REQUIRE(f.Apply(pvc, pvc_with("ReadWriteOnce", "1Gi")).ok());
  CHECK(f.Apply(pvc, pvc_with("ReadWriteOnce", "2Gi")).ok());
  r = f.Apply(pvc, pvc_with("ReadWriteMany", "2Gi"));
  CHECK(std::string(r.status().message()) ==
        "PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after creation except "
        "resources.requests and volumeAttributesClassName for bound claims");

  auto cm = f.Scope("", "configmaps", "frozen");
  REQUIRE(f.Apply(cm, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frozen}\nimmutable: true\ndata: {a: '1'}").ok());
  auto relabel = f.Apply(cm, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frozen, labels: {x: z}}\nimmutable: true\n"
                            "data: {a: '1'}");
  INFO(relabel.status().message());
  CHECK(relabel.ok());
  r = f.Apply(cm, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frozen}\nimmutable: true\ndata: {a: '2'}");
  CHECK(std::string(r.status().message()) ==
        "ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set");

  auto secret = f.Scope("", "secrets", "s");
  REQUIRE(f.Apply(secret, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nimmutable: true\nstringData: {a: '1'}").ok());
  r = f.Apply(secret, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nimmutable: true\nstringData: {a: '2'}");
  CHECK(std::string(r.status().message()) ==
        "Secret \"s\" is invalid: data: Forbidden: field is immutable when `immutable` is set");
  auto typed = f.Scope("", "secrets", "t");
  REQUIRE(f.Apply(typed, "apiVersion: v1\nkind: Secret\nmetadata: {name: t}\ntype: Opaque").ok());
  r = f.Apply(typed, "apiVersion: v1\nkind: Secret\nmetadata: {name: t}\ntype: kubernetes.io/tls");
  CHECK(std::string(r.status().message()) ==
        "Secret \"t\" is invalid: type: Invalid value: \"kubernetes.io/tls\": field is immutable");
}
