// Differential test: builds generated kustomization trees with our engine and
// with `kubectl kustomize` (kustomize v5.5.0) and requires byte-identical
// output. Skipped when kubectl is not installed.

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "libs/kustomize/build.h"

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;

namespace {

bool HaveKubectl() { return fs::exists("/usr/bin/kubectl") || std::system("command -v kubectl >/dev/null 2>&1") == 0; }

std::string RunKubectl(const fs::path& dir, int* rc) {
  std::string cmd = "kubectl kustomize " + dir.string() + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  *rc = pclose(p);
  return out;
}

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A random base + overlay exercising generators, prefixes, labels, patches,
// images, replicas and name references.
void MakeTree(const fs::path& root, std::mt19937& rng) {
  auto pick = [&rng](std::initializer_list<const char*> xs) {
    std::vector<const char*> v(xs);
    return std::string(v[rng() % v.size()]);
  };
  std::string app = pick({"web", "api", "db-proxy", "worker"});
  Write(root / "base/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + app +
            "\n  labels:\n    app: " + app +
            "\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: " + app +
            "\n  template:\n    metadata:\n      labels:\n        app: " + app +
            "\n    spec:\n      containers:\n      - name: main\n        image: " +
            pick({"nginx:1.25", "ghcr.io/org/app@sha256:0123", "busybox"}) +
            "\n        env:\n        - name: A\n          value: \"" + pick({"1", "yes", "true", "x y", "08"}) +
            "\"\n        envFrom:\n        - configMapRef:\n            name: cfg\n        volumeMounts:\n"
            "        - name: s\n          mountPath: /s\n      volumes:\n      - name: s\n        secret:\n"
            "          secretName: creds\n");
  Write(root / "base/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + app +
                                    "\nspec:\n  selector:\n    app: " + app + "\n  ports:\n  - port: 80\n");
  Write(root / "base/kustomization.yaml",
        "resources:\n- deploy.yaml\n- svc.yaml\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - K=" +
            pick({"v", "a long value with spaces that goes on and on and on beyond the eighty column limit", "1.5"}) +
            "\nsecretGenerator:\n- name: creds\n  literals:\n  - password=" + pick({"s3cr3t", "p"}) + "\n");
  std::string overlay = "resources:\n- ../base\nnamePrefix: " + pick({"dev-", "prod-"}) + "\nnamespace: " +
                        pick({"apps", "team-a"}) + "\ncommonLabels:\n  env: " + pick({"dev", "prod"}) +
                        "\nimages:\n- name: " + pick({"nginx", "busybox"}) + "\n  newTag: \"" + pick({"2.0", "latest"}) +
                        "\"\nreplicas:\n- name: " + app + "\n  count: " + std::to_string(rng() % 5) +
                        "\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n"
                        "      name: " + app + "\n    spec:\n      template:\n        spec:\n          containers:\n"
                        "          - name: sidecar\n            image: envoy\n";
  Write(root / "overlay/kustomization.yaml", overlay);
}

}  // namespace

TEST_CASE("differential against kubectl kustomize") {
  if (!HaveKubectl()) {
    WARN("kubectl not installed; skipping");
    return;
  }
  std::mt19937 rng(42);
  fs::path base = fs::temp_directory_path() / ("kustomize_diff_" + std::to_string(std::random_device{}()));
  for (int i = 0; i < 8; ++i) {
    fs::path root = base / std::to_string(i);
    MakeTree(root, rng);
    int rc = 0;
    std::string want = RunKubectl(root / "overlay", &rc);
    REQUIRE(rc == 0);
    auto got = kz::Build((root / "overlay").string(), kz::BuildOptions{});
    INFO("tree " << root.string());
    REQUIRE(got.ok());
    CHECK(kz::ToYaml(*got) == want);
  }
  fs::remove_all(base);
}

namespace {

// Builds `dir` with both engines: the outputs must be identical, or both fail.
void CompareWithKubectl(const fs::path& dir) {
  int rc = 0;
  std::string want = RunKubectl(dir, &rc);
  auto got = kz::Build(dir.string(), kz::BuildOptions{});
  INFO("dir " << dir.string());
  if (rc != 0) {
    CHECK_FALSE(got.ok());
    return;
  }
  REQUIRE(got.ok());
  CHECK(kz::ToYaml(*got) == want);
}

}  // namespace

// Strategic-merge patches on built-in kinds beyond workloads: lists the
// Kubernetes API merges by key (webhooks, ServiceAccount secrets, status
// conditions, PVC/PDB conditions, CronJob pod templates) and lists it replaces
// (Ingress rules/tls, NetworkPolicy rules, RBAC rules/subjects, HPA metrics).
TEST_CASE("differential: strategic merge keys of built-in kinds") {
  if (!HaveKubectl()) {
    WARN("kubectl not installed; skipping");
    return;
  }
  fs::path root = fs::temp_directory_path() / ("kustomize_smp_" + std::to_string(std::random_device{}()));
  Write(root / "kinds/res.yaml", R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: a, port: {number: 80}}
  tls:
  - hosts: [a.example.com]
    secretName: a-tls
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector: {matchLabels: {a: b}}
  egress:
  - to:
    - ipBlock: {cidr: 10.0.0.0/8}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
subjects:
- kind: ServiceAccount
  name: sa1
  namespace: x
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: vwc
webhooks:
- name: a.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: s, namespace: n}}
  rules:
  - operations: [CREATE]
    apiGroups: [""]
    apiVersions: [v1]
    resources: [pods]
- name: b.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: s, namespace: n}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: mwc
webhooks:
- name: a.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: s, namespace: n}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pvc
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
status:
  conditions:
  - type: Resizing
    status: "True"
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cj
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: main
            image: busybox
            env:
            - {name: A, value: "1"}
          volumes:
          - name: v1
            emptyDir: {}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}
  maxReplicas: 3
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa
secrets:
- name: s1
imagePullSecrets:
- name: p1
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: pdb
spec:
  minAvailable: 1
status:
  conditions:
  - type: DisruptionAllowed
    status: "True"
    lastTransitionTime: "2020-01-01T00:00:00Z"
    reason: r
    message: m
  currentHealthy: 1
  desiredHealthy: 1
  disruptionsAllowed: 0
  expectedPods: 1
  observedGeneration: 1
)");
  Write(root / "kinds/patch.yaml", R"(apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
spec:
  rules:
  - host: b.example.com
  tls:
  - hosts: [b.example.com]
    secretName: b-tls
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
spec:
  ingress:
  - from:
    - podSelector: {matchLabels: {c: d}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
subjects:
- kind: ServiceAccount
  name: sa2
  namespace: x
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: r
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [list]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: vwc
webhooks:
- name: a.example.com
  failurePolicy: Ignore
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: mwc
webhooks:
- name: c.example.com
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {service: {name: s, namespace: n}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pvc
spec:
  accessModes: [ReadWriteMany]
status:
  conditions:
  - type: FileSystemResizePending
    status: "True"
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cj
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: main
            env:
            - {name: B, value: "2"}
          volumes:
          - name: v2
            emptyDir: {}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa
spec:
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: Utilization, averageUtilization: 60}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa
secrets:
- name: s2
imagePullSecrets:
- name: p2
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: pdb
status:
  conditions:
  - type: Other
    status: "False"
    lastTransitionTime: "2020-01-01T00:00:00Z"
    reason: r
    message: m
)");
  Write(root / "kinds/kustomization.yaml", "resources:\n- res.yaml\npatches:\n- path: patch.yaml\n");
  // One list per kind: key "A" merged (keeps status, x: "2") or replaced.
  Write(root / "lists/res.yaml", R"({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "o0"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "FlowSchema", "metadata": {"name": "o1"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "PriorityLevelConfiguration", "metadata": {"name": "o2"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "o3"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "o4"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "o5"}, "status": {"addresses": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o6"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o7"}, "status": {"podIPs": [{"ip": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "o8"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "o9"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "o10"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "o11"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "o12"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "o13"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "o14"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "o15"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "o16"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "o17"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "o18"}, "status": {"conditions": [{"type": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "ComponentStatus", "metadata": {"name": "o19"}, "conditions": [{"type": "A", "status": "True", "x": "1"}]}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o20"}, "spec": {"readinessGates": [{"conditionType": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o21"}, "spec": {"tolerations": [{"key": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "o22"}, "spec": {"taints": [{"key": "A", "status": "True", "x": "1"}]}}
---
{"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "o23"}, "subsets": [{"addresses": "A", "status": "True", "x": "1"}]}
---
{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "o24"}, "endpoints": [{"addresses": "A", "status": "True", "x": "1"}]}
---
{"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "o25"}, "allowedTopologies": [{"x": "1", "status": "True"}]}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o26"}, "spec": {"containers": [{"name": "A", "status": "True", "x": "1"}]}})");
  Write(root / "lists/patch.yaml", R"({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "o0"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "FlowSchema", "metadata": {"name": "o1"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "PriorityLevelConfiguration", "metadata": {"name": "o2"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "o3"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "o4"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "o5"}, "status": {"addresses": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o6"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o7"}, "status": {"podIPs": [{"ip": "B", "status": "True"}, {"ip": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "o8"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "o9"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "o10"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "o11"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "o12"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "o13"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "o14"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "o15"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "o16"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "o17"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "o18"}, "status": {"conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "ComponentStatus", "metadata": {"name": "o19"}, "conditions": [{"type": "B", "status": "True"}, {"type": "A", "x": "2"}]}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o20"}, "spec": {"readinessGates": [{"conditionType": "B", "status": "True"}, {"conditionType": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o21"}, "spec": {"tolerations": [{"key": "B", "status": "True"}, {"key": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "o22"}, "spec": {"taints": [{"key": "B", "status": "True"}, {"key": "A", "x": "2"}]}}
---
{"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "o23"}, "subsets": [{"addresses": "B", "status": "True"}, {"addresses": "A", "x": "2"}]}
---
{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "o24"}, "endpoints": [{"addresses": "B", "status": "True"}, {"addresses": "A", "x": "2"}]}
---
{"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "o25"}, "allowedTopologies": [{"x": "B", "status": "True"}, {"x": "2"}]}
---
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "o26"}, "spec": {"containers": [{"name": "B", "status": "True"}, {"name": "A", "x": "2"}]}})");
  Write(root / "lists/kustomization.yaml", "resources:\n- res.yaml\npatches:\n- path: patch.yaml\n");
  CompareWithKubectl(root / "kinds");
  CompareWithKubectl(root / "lists");
  fs::remove_all(root);
}

// JSON 6902 patches see kustomize's build annotations (so adding under
// /metadata/annotations works without an annotations map), other missing
// parents are errors, and the patch body is read with YAML 1.1 booleans.
TEST_CASE("differential: JSON 6902 patches and missing parents") {
  if (!HaveKubectl()) {
    WARN("kubectl not installed; skipping");
    return;
  }
  fs::path root = fs::temp_directory_path() / ("kustomize_json_" + std::to_string(std::random_device{}()));
  const std::string cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v\n";
  const std::string cr =
      "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n  annotations:\n"
      "    user: x\nrules: []\n";
  auto tree = [&](const std::string& name, const std::string& kust, const std::string& ops) {
    Write(root / name / "cm.yaml", cm);
    Write(root / name / "cr.yaml", cr);
    std::string indented;
    std::istringstream in(ops);
    for (std::string line; std::getline(in, line);) indented += "    " + line + "\n";
    Write(root / name / "kustomization.yaml", kust + "patches:\n- target:\n    name: c.*\n  patch: |-\n" + indented);
  };
  const std::string plain = "resources:\n- cm.yaml\n- cr.yaml\n";
  const std::string renamed = "resources:\n- cm.yaml\n- cr.yaml\nnamespace: ns1\nnamePrefix: p-\nnameSuffix: -s\n"
                              "configMapGenerator:\n- name: gen\n  literals: [a=b]\n";
  tree("add-annotation", plain, "- op: add\n  path: /metadata/annotations/foo\n  value: bar\n");
  tree("add-annotations-map", plain, "- op: add\n  path: /metadata/annotations\n  value: {x: y, m: 1}\n");
  tree("copy-internal", renamed, "- op: copy\n  from: /metadata/annotations\n  path: /copied\n");
  tree("remove-user-annotation", plain,
       "- op: test\n  path: /metadata/name\n  value: cr\n- op: remove\n  path: /metadata/annotations/user\n");
  tree("missing-parent", plain, "- op: add\n  path: /spec/template/x\n  value: 1\n");
  tree("missing-annotation-parent", plain, "- op: add\n  path: /metadata/annotations/a/b\n  value: 1\n");
  tree("yaml11-booleans", plain,
       "- op: add\n  path: /x\n  value: {a: y, b: yes, c: on, d: 0x1F, e: 1_000, f: \"1:20\", g: ~, h: Off, "
       "i: 1:20, j: 0o17, k: 017, l: .5, m: 1e3, n: NO, o: True}\n");
  // Annotation values kustomize cannot read as strings (maps, lists) become "".
  Write(root / "map-annotations/r.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations:\n    m: {a: b}\n    l: [1]\n"
        "    s: x\n");
  Write(root / "map-annotations/kustomization.yaml",
        "resources:\n- r.yaml\ncommonAnnotations:\n  z: z\npatches:\n- target:\n    kind: ConfigMap\n  patch: |-\n"
        "    - op: copy\n      from: /metadata/name\n      path: /metadata/annotations/copied\n");
  // Previous ids recorded in a base (namespace transformer on a cluster-scoped kind) as the overlay's patch sees them.
  Write(root / "overlay-internal/base/cr.yaml", cr);
  Write(root / "overlay-internal/base/kustomization.yaml", "resources:\n- cr.yaml\nnamespace: foo\nnamePrefix: p-\n");
  Write(root / "overlay-internal/kustomization.yaml",
        "resources:\n- base\npatches:\n- target:\n    kind: ClusterRole\n  patch: |-\n    - op: copy\n"
        "      from: /metadata/annotations\n      path: /copied\n");
  for (const char* name : {"add-annotation", "add-annotations-map", "copy-internal", "remove-user-annotation",
                           "missing-parent", "missing-annotation-parent", "yaml11-booleans", "map-annotations",
                           "overlay-internal"}) {
    CompareWithKubectl(root / name);
  }
  fs::remove_all(root);
}
