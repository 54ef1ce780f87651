#include "libs/kustomize/field_spec.h"

#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::kustomize {

using object::Value;

bool FieldSpec::Selects(const ResId& id) const {
  if (!group.empty() && group != id.group) return false;
  if (!version.empty() && version != id.version) return false;
  if (!kind.empty() && kind != id.kind) return false;
  return true;
}

std::vector<std::string> SplitFieldPath(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  int bracket = 0;
  for (size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '\\' && i + 1 < path.size() && path[i + 1] == '/') {
      cur.push_back('/');
      ++i;
      continue;
    }
    if (c == '[') ++bracket;
    if (c == ']' && bracket > 0) --bracket;
    if (c == '/' && bracket == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  out.push_back(cur);
  return out;
}

namespace {

absl::Status Walk(Value& node, const std::vector<std::string>& path, size_t i, bool create, LeafKind leaf_kind,
                  const std::function<absl::Status(Value&)>& fn) {
  if (i == path.size()) return fn(node);
  if (node.is_null()) return absl::OkStatus();
  if (node.is_array()) {
    for (Value& item : node) FLUX_RETURN_IF_ERROR(Walk(item, path, i, create, leaf_kind, fn));
    return absl::OkStatus();
  }
  if (!node.is_object()) return absl::InvalidArgumentError("expected sequence or mapping node");
  std::string field = path[i];
  bool is_seq = false;
  if (field.size() > 2 && field.compare(field.size() - 2, 2, "[]") == 0) {
    field.resize(field.size() - 2);
    is_seq = true;
  }
  if (field.empty()) return absl::InvalidArgumentError("cannot set or create an empty field name");
  auto it = node.find(field);
  bool last = i + 1 == path.size();
  if (it == node.end()) {
    if (!create || is_seq || (last && leaf_kind == LeafKind::kNone)) return absl::OkStatus();
    if (last) {
      node[field] = leaf_kind == LeafKind::kMap ? Value::object() : Value(nullptr);
    } else {
      node[field] = Value::object();
    }
    it = node.find(field);
  } else if (it->is_null() && create && !is_seq) {
    if (!last) {
      *it = Value::object();
    } else if (leaf_kind == LeafKind::kMap) {
      *it = Value::object();
    }
  }
  return Walk(*it, path, i + 1, create, leaf_kind, fn);
}

}  // namespace

absl::Status ApplyFieldSpec(Value& obj, const FieldSpec& fs, LeafKind leaf_kind,
                            const std::function<absl::Status(Value&)>& fn) {
  // Field-spec paths are few and applied to every resource: split each once
  // per thread.
  thread_local std::unordered_map<std::string, std::vector<std::string>> split_paths;
  auto cached = split_paths.find(fs.path);
  if (cached == split_paths.end()) cached = split_paths.emplace(fs.path, SplitFieldPath(fs.path)).first;
  const std::vector<std::string>& path = cached->second;
  absl::Status s = Walk(obj, path, 0, fs.create, leaf_kind, fn);
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat("considering field '", fs.path, "' of object ",
                                               object::GetString(obj, {"kind"}), ": ", std::string(s.message())));
  }
  return s;
}

absl::StatusOr<std::vector<FieldSpec>> ParseFieldSpecs(const Value& list) {
  std::vector<FieldSpec> out;
  if (list.is_null()) return out;
  if (!list.is_array()) return absl::InvalidArgumentError("fieldSpecs must be a list");
  for (const Value& item : list) {
    if (!item.is_object()) return absl::InvalidArgumentError("fieldSpec must be a map");
    FieldSpec fs;
    fs.group = object::GetString(item, {"group"});
    fs.version = object::GetString(item, {"version"});
    fs.kind = object::GetString(item, {"kind"});
    fs.path = object::GetString(item, {"path"});
    fs.create = object::GetBool(item, {"create"});
    out.push_back(std::move(fs));
  }
  return out;
}

void MergeFieldSpecs(std::vector<FieldSpec>& specs, const std::vector<FieldSpec>& more) {
  for (const FieldSpec& fs : more) {
    bool dup = false;
    for (const FieldSpec& have : specs) {
      // kustomize's effectivelyEquals: same path, and the existing spec's
      // gvk is selected by the incoming one (empty parts match anything).
      bool selected = (fs.group.empty() || fs.group == have.group) &&
                      (fs.version.empty() || fs.version == have.version) && (fs.kind.empty() || fs.kind == have.kind);
      if (selected && have.path == fs.path) {
        dup = true;
        break;
      }
    }
    if (!dup) specs.push_back(fs);
  }
}

namespace {

FieldSpec FS(std::string kind, std::string path, bool create = false, std::string group = "", std::string version = "") {
  FieldSpec fs;
  fs.kind = std::move(kind);
  fs.path = std::move(path);
  fs.create = create;
  fs.group = std::move(group);
  fs.version = std::move(version);
  return fs;
}

// Pod-spec locations of the workload kinds.
struct PodSpecAt {
  const char* kind;
  const char* prefix;
  const char* version;
};
constexpr PodSpecAt kPodTemplates[] = {
    {"Pod", "spec", "v1"},
    {"PodTemplate", "template/spec", ""},
    {"Deployment", "spec/template/spec", ""},
    {"ReplicaSet", "spec/template/spec", ""},
    {"DaemonSet", "spec/template/spec", ""},
    {"StatefulSet", "spec/template/spec", ""},
    {"Job", "spec/template/spec", ""},
    {"CronJob", "spec/jobTemplate/spec/template/spec", ""},
};

void AddPodRefs(std::vector<FieldSpec>& out, std::initializer_list<const char*> suffixes, bool with_rc,
                bool skip_podtemplate) {
  for (const PodSpecAt& p : kPodTemplates) {
    if (skip_podtemplate && std::string(p.kind) == "PodTemplate") continue;
    for (const char* s : suffixes) out.push_back(FS(p.kind, absl::StrCat(p.prefix, "/", s), false, "", p.version));
  }
  if (with_rc) {
    for (const char* s : suffixes) out.push_back(FS("ReplicationController", absl::StrCat("spec/template/spec/", s)));
  }
}

TransformerConfig MakeBuiltin() {
  TransformerConfig tc;
  tc.name_prefix = {FS("", "metadata/name")};
  tc.name_suffix = {FS("", "metadata/name")};
  tc.name_space = {FS("Namespace", "metadata/name", true),
                   FS("APIService", "spec/service/namespace", true, "apiregistration.k8s.io"),
                   FS("CustomResourceDefinition", "spec/conversion/webhook/clientConfig/service/namespace", false,
                      "apiextensions.k8s.io")};

  std::vector<FieldSpec> metadata_labels = {
      FS("", "metadata/labels", true),
      FS("ReplicationController", "spec/template/metadata/labels", true, "", "v1"),
      FS("Deployment", "spec/template/metadata/labels", true),
      FS("ReplicaSet", "spec/template/metadata/labels", true),
      FS("DaemonSet", "spec/template/metadata/labels", true),
      FS("StatefulSet", "spec/template/metadata/labels", true, "apps"),
      FS("StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true, "apps"),
      FS("Job", "spec/template/metadata/labels", true, "batch"),
      FS("CronJob", "spec/jobTemplate/metadata/labels", true, "batch"),
      FS("CronJob", "spec/jobTemplate/spec/template/metadata/labels", true, "batch"),
  };
  tc.template_labels = metadata_labels;
  const char* kAffinity[] = {
      "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
      "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
      "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
      "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
      "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
  };
  tc.common_labels = {FS("Service", "spec/selector", true, "", "v1"),
                      FS("ReplicationController", "spec/selector", true, "", "v1"),
                      FS("Deployment", "spec/selector/matchLabels", true)};
  for (const char* a : kAffinity) tc.common_labels.push_back(FS("Deployment", a, false, "apps"));
  tc.common_labels.push_back(FS("ReplicaSet", "spec/selector/matchLabels", true));
  tc.common_labels.push_back(FS("DaemonSet", "spec/selector/matchLabels", true));
  tc.common_labels.push_back(FS("StatefulSet", "spec/selector/matchLabels", true, "apps"));
  for (const char* a : kAffinity) tc.common_labels.push_back(FS("StatefulSet", a, false, "apps"));
  tc.common_labels.push_back(FS("Job", "spec/selector/matchLabels", false, "batch"));
  tc.common_labels.push_back(FS("CronJob", "spec/jobTemplate/spec/selector/matchLabels", false, "batch"));
  tc.common_labels.push_back(FS("PodDisruptionBudget", "spec/selector/matchLabels", false, "policy"));
  tc.common_labels.push_back(FS("NetworkPolicy", "spec/podSelector/matchLabels", false, "networking.k8s.io"));
  tc.common_labels.push_back(FS("NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", false, "networking.k8s.io"));
  tc.common_labels.push_back(FS("NetworkPolicy", "spec/egress/to/podSelector/matchLabels", false, "networking.k8s.io"));
  for (const FieldSpec& fs : metadata_labels) tc.common_labels.push_back(fs);

  tc.common_annotations = {
      FS("", "metadata/annotations", true),
      FS("ReplicationController", "spec/template/metadata/annotations", true, "", "v1"),
      FS("Deployment", "spec/template/metadata/annotations", true),
      FS("ReplicaSet", "spec/template/metadata/annotations", true),
      FS("DaemonSet", "spec/template/metadata/annotations", true),
      FS("StatefulSet", "spec/template/metadata/annotations", true),
      FS("Job", "spec/template/metadata/annotations", true, "batch"),
      FS("CronJob", "spec/jobTemplate/metadata/annotations", true, "batch"),
      FS("CronJob", "spec/jobTemplate/spec/template/metadata/annotations", true, "batch"),
  };
  tc.images = {FS("", "spec/containers[]/image", true), FS("", "spec/initContainers[]/image", true),
               FS("", "spec/template/spec/containers[]/image", true),
               FS("", "spec/template/spec/initContainers[]/image", true)};
  tc.replicas = {FS("Deployment", "spec/replicas", true), FS("ReplicationController", "spec/replicas", true),
                 FS("ReplicaSet", "spec/replicas", true), FS("StatefulSet", "spec/replicas", true)};

  // varReference: container args/command/env values/mount paths of workloads.
  struct VarAt {
    const char* kind;
    const char* prefix;
  };
  constexpr VarAt kVarKinds[] = {{"CronJob", "spec/jobTemplate/spec/template/spec"},
                                 {"DaemonSet", "spec/template/spec"},
                                 {"Deployment", "spec/template/spec"},
                                 {"Job", "spec/template/spec"},
                                 {"Pod", "spec"},
                                 {"ReplicaSet", "spec/template/spec"},
                                 {"StatefulSet", "spec/template/spec"}};
  for (const VarAt& v : kVarKinds) {
    for (const char* c : {"containers", "initContainers"}) {
      for (const char* f : {"args", "command", "env/value", "volumeMounts/mountPath"}) {
        tc.var_reference.push_back(FS(v.kind, absl::StrCat(v.prefix, "/", c, "/", f)));
      }
    }
    if (std::string(v.kind) == "CronJob") {
      tc.var_reference.push_back(FS("CronJob", "spec/jobTemplate/spec/template/volumes/nfs/server"));
    } else if (std::string(v.kind) != "StatefulSet") {
      tc.var_reference.push_back(FS(v.kind, absl::StrCat(v.prefix, "/volumes/nfs/server")));
    }
    if (std::string(v.kind) == "Deployment") {
      tc.var_reference.push_back(FS("Deployment", "spec/template/metadata/annotations"));
    }
  }
  tc.var_reference.push_back(FS("Ingress", "spec/rules/host"));
  tc.var_reference.push_back(FS("Ingress", "spec/tls/hosts"));
  tc.var_reference.push_back(FS("Ingress", "spec/tls/secretName"));
  tc.var_reference.push_back(FS("Service", "spec/ports/port"));
  tc.var_reference.push_back(FS("Service", "spec/ports/targetPort"));
  tc.var_reference.push_back(FS("StatefulSet", "spec/volumeClaimTemplates/spec/nfs/server"));
  tc.var_reference.push_back(FS("PersistentVolume", "spec/nfs/server"));
  tc.var_reference.push_back(FS("", "metadata/labels"));
  tc.var_reference.push_back(FS("", "metadata/annotations"));

  auto backref = [](std::string kind, std::string group, std::string version, std::vector<FieldSpec> refs) {
    NameBackReference b;
    b.kind = std::move(kind);
    b.group = std::move(group);
    b.version = std::move(version);
    b.referrers = std::move(refs);
    return b;
  };
  for (const char* workload : {"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"}) {
    tc.name_reference.push_back(backref(workload, "", "", {FS("HorizontalPodAutoscaler", "spec/scaleTargetRef/name")}));
  }
  {
    std::vector<FieldSpec> refs;
    AddPodRefs(refs,
               {"volumes/configMap/name", "containers/env/valueFrom/configMapKeyRef/name",
                "initContainers/env/valueFrom/configMapKeyRef/name", "containers/envFrom/configMapRef/name",
                "initContainers/envFrom/configMapRef/name", "volumes/projected/sources/configMap/name"},
               false, false);
    refs.push_back(FS("Node", "spec/configSource/configMap"));
    refs.push_back(FS("Role", "rules/resourceNames"));
    refs.push_back(FS("ClusterRole", "rules/resourceNames"));
    refs.push_back(FS("Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap"));
    tc.name_reference.push_back(backref("ConfigMap", "", "v1", refs));
  }
  {
    std::vector<FieldSpec> refs;
    AddPodRefs(refs,
               {"volumes/secret/secretName", "containers/env/valueFrom/secretKeyRef/name",
                "initContainers/env/valueFrom/secretKeyRef/name", "containers/envFrom/secretRef/name",
                "initContainers/envFrom/secretRef/name", "imagePullSecrets/name",
                "volumes/projected/sources/secret/name"},
               false, false);
    refs.push_back(FS("Ingress", "spec/tls/secretName"));
    refs.push_back(FS("Ingress", "metadata/annotations/ingress.kubernetes.io\\/auth-secret"));
    refs.push_back(FS("Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret"));
    refs.push_back(FS("Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret"));
    refs.push_back(FS("ServiceAccount", "imagePullSecrets/name"));
    for (const char* p : {"parameters/secretName", "parameters/adminSecretName", "parameters/userSecretName",
                          "parameters/secretRef"}) {
      refs.push_back(FS("StorageClass", p));
    }
    refs.push_back(FS("Role", "rules/resourceNames"));
    refs.push_back(FS("ClusterRole", "rules/resourceNames"));
    refs.push_back(FS("Service", "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", false,
                      "serving.knative.dev", "v1"));
    refs.push_back(FS("PersistentVolume", "spec/azureFile/secretName"));
    tc.name_reference.push_back(backref("Secret", "", "v1", refs));
  }
  tc.name_reference.push_back(backref(
      "Service", "", "v1",
      {FS("StatefulSet", "spec/serviceName", false, "apps"), FS("Ingress", "spec/rules/http/paths/backend/serviceName"),
       FS("Ingress", "spec/backend/serviceName"), FS("Ingress", "spec/rules/http/paths/backend/service/name"),
       FS("Ingress", "spec/defaultBackend/service/name"),
       FS("APIService", "spec/service/name", false, "apiregistration.k8s.io"),
       FS("ValidatingWebhookConfiguration", "webhooks/clientConfig/service", false, "admissionregistration.k8s.io"),
       FS("MutatingWebhookConfiguration", "webhooks/clientConfig/service", false, "admissionregistration.k8s.io")}));
  tc.name_reference.push_back(
      backref("Role", "rbac.authorization.k8s.io", "", {FS("RoleBinding", "roleRef/name", false, "rbac.authorization.k8s.io")}));
  tc.name_reference.push_back(backref("ClusterRole", "rbac.authorization.k8s.io", "",
                                     {FS("RoleBinding", "roleRef/name", false, "rbac.authorization.k8s.io"),
                                      FS("ClusterRoleBinding", "roleRef/name", false, "rbac.authorization.k8s.io")}));
  {
    std::vector<FieldSpec> refs = {FS("RoleBinding", "subjects", false, "rbac.authorization.k8s.io"),
                                   FS("ClusterRoleBinding", "subjects", false, "rbac.authorization.k8s.io"),
                                   FS("Pod", "spec/serviceAccountName")};
    for (const char* k : {"StatefulSet", "Deployment", "ReplicationController", "Job", "DaemonSet"}) {
      refs.push_back(FS(k, "spec/template/spec/serviceAccountName"));
    }
    refs.push_back(FS("CronJob", "spec/jobTemplate/spec/template/spec/serviceAccountName"));
    tc.name_reference.push_back(backref("ServiceAccount", "", "v1", refs));
  }
  {
    std::vector<FieldSpec> refs = {FS("Pod", "spec/volumes/persistentVolumeClaim/claimName")};
    for (const char* k : {"StatefulSet", "Deployment", "ReplicationController", "Job", "DaemonSet"}) {
      refs.push_back(FS(k, "spec/template/spec/volumes/persistentVolumeClaim/claimName"));
    }
    refs.push_back(FS("CronJob", "spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName"));
    tc.name_reference.push_back(backref("PersistentVolumeClaim", "", "v1", refs));
  }
  tc.name_reference.push_back(backref("PersistentVolume", "", "v1",
                                     {FS("PersistentVolumeClaim", "spec/volumeName"), FS("ClusterRole", "rules/resourceNames")}));
  tc.name_reference.push_back(backref("StorageClass", "storage.k8s.io", "v1",
                                     {FS("PersistentVolume", "spec/storageClassName"),
                                      FS("PersistentVolumeClaim", "spec/storageClassName"),
                                      FS("StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName")}));
  {
    std::vector<FieldSpec> refs = {FS("Pod", "spec/priorityClassName")};
    for (const char* k : {"StatefulSet", "Deployment", "ReplicationController", "Job", "DaemonSet"}) {
      refs.push_back(FS(k, "spec/template/spec/priorityClassName"));
    }
    refs.push_back(FS("CronJob", "spec/jobTemplate/spec/template/spec/priorityClassName"));
    tc.name_reference.push_back(backref("PriorityClass", "scheduling.k8s.io", "v1", refs));
  }
  // kustomize's table spells this group "networking.k8s.io/v1" (so it never matches by group).
  tc.name_reference.push_back(backref("IngressClass", "networking.k8s.io/v1", "v1", {FS("Ingress", "spec/ingressClassName")}));
  tc.name_reference.push_back(backref("ValidatingAdmissionPolicy", "admissionregistration.k8s.io", "",
                                     {FS("ValidatingAdmissionPolicyBinding", "spec/policyName", false,
                                         "admissionregistration.k8s.io")}));
  return tc;
}

}  // namespace

const TransformerConfig& TransformerConfig::Builtin() {
  static const TransformerConfig* tc = new TransformerConfig(MakeBuiltin());
  return *tc;
}

absl::StatusOr<TransformerConfig> TransformerConfig::Parse(const Value& doc) {
  TransformerConfig tc;
  if (doc.is_null()) return tc;
  if (!doc.is_object()) return absl::InvalidArgumentError("transformer configuration must be a map");
  struct Slot {
    const char* key;
    std::vector<FieldSpec> TransformerConfig::*field;
  };
  const Slot slots[] = {{"namePrefix", &TransformerConfig::name_prefix},
                        {"nameSuffix", &TransformerConfig::name_suffix},
                        {"namespace", &TransformerConfig::name_space},
                        {"commonLabels", &TransformerConfig::common_labels},
                        {"templateLabels", &TransformerConfig::template_labels},
                        {"labels", &TransformerConfig::labels},
                        {"commonAnnotations", &TransformerConfig::common_annotations},
                        {"images", &TransformerConfig::images},
                        {"replicas", &TransformerConfig::replicas},
                        {"varReference", &TransformerConfig::var_reference}};
  for (const Slot& s : slots) {
    if (const Value* v = object::Find(doc, {s.key})) {
      FLUX_ASSIGN_OR_RETURN(tc.*(s.field), ParseFieldSpecs(*v));
    }
  }
  if (const Value* nr = object::Find(doc, {"nameReference"}); nr != nullptr && nr->is_array()) {
    for (const Value& item : *nr) {
      NameBackReference b;
      b.group = object::GetString(item, {"group"});
      b.version = object::GetString(item, {"version"});
      b.kind = object::GetString(item, {"kind"});
      if (const Value* f = object::Find(item, {"fieldSpecs"})) {
        FLUX_ASSIGN_OR_RETURN(b.referrers, ParseFieldSpecs(*f));
      }
      tc.name_reference.push_back(std::move(b));
    }
  }
  return tc;
}

void TransformerConfig::Merge(const TransformerConfig& o) {
  MergeFieldSpecs(name_prefix, o.name_prefix);
  MergeFieldSpecs(name_suffix, o.name_suffix);
  MergeFieldSpecs(name_space, o.name_space);
  MergeFieldSpecs(common_labels, o.common_labels);
  MergeFieldSpecs(template_labels, o.template_labels);
  MergeFieldSpecs(labels, o.labels);
  MergeFieldSpecs(common_annotations, o.common_annotations);
  MergeFieldSpecs(images, o.images);
  MergeFieldSpecs(replicas, o.replicas);
  MergeFieldSpecs(var_reference, o.var_reference);
  for (const NameBackReference& b : o.name_reference) {
    bool merged = false;
    for (NameBackReference& have : name_reference) {
      if (have.kind == b.kind && have.group == b.group && have.version == b.version) {
        MergeFieldSpecs(have.referrers, b.referrers);
        merged = true;
        break;
      }
    }
    if (!merged) name_reference.push_back(b);
  }
}

}  // namespace fluxcpp::kustomize
