#include "tools/dev-apiserver/builtin_kinds.h"

#include "tools/dev-apiserver/builtin_schemas.h"

namespace fluxcpp::devapiserver {
namespace {

struct Row {
  const char* group;
  const char* version;
  const char* kind;
  const char* plural;
  const char* singular;
  bool namespaced;
  bool has_status;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
};

// group, version, kind, plural, singular, namespaced, status subresource, shortNames, categories
const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      {"", "v1", "Namespace", "namespaces", "namespace", false, true, {"ns"}, {}},
      {"", "v1", "ConfigMap", "configmaps", "configmap", true, false, {"cm"}, {}},
      {"", "v1", "Secret", "secrets", "secret", true, false, {}, {}},
      {"", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true, false, {"sa"}, {}},
      {"", "v1", "Service", "services", "service", true, true, {"svc"}, {"all"}},
      {"", "v1", "Endpoints", "endpoints", "endpoints", true, false, {"ep"}, {}},
      {"", "v1", "Pod", "pods", "pod", true, true, {"po"}, {"all"}},
      {"", "v1", "Event", "events", "event", true, false, {"ev"}, {}},
      {"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", true, true, {"pvc"}, {}},
      {"", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", false, true, {"pv"}, {}},
      {"", "v1", "Node", "nodes", "node", false, true, {"no"}, {}},
      {"", "v1", "ResourceQuota", "resourcequotas", "resourcequota", true, true, {"quota"}, {}},
      {"", "v1", "LimitRange", "limitranges", "limitrange", true, false, {"limits"}, {}},
      {"apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
       "customresourcedefinition", false, true, {"crd", "crds"}, {"api-extensions"}},
      {"apps", "v1", "Deployment", "deployments", "deployment", true, true, {"deploy"}, {"all"}},
      {"apps", "v1", "ReplicaSet", "replicasets", "replicaset", true, true, {"rs"}, {"all"}},
      {"apps", "v1", "StatefulSet", "statefulsets", "statefulset", true, true, {"sts"}, {"all"}},
      {"apps", "v1", "DaemonSet", "daemonsets", "daemonset", true, true, {"ds"}, {"all"}},
      {"apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", true, false, {}, {}},
      {"events.k8s.io", "v1", "Event", "events", "event", true, false, {"ev"}, {}},
      {"autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler", true,
       true, {"hpa"}, {"all"}},
      {"batch", "v1", "Job", "jobs", "job", true, true, {}, {"all"}},
      {"batch", "v1", "CronJob", "cronjobs", "cronjob", true, true, {"cj"}, {"all"}},
      {"networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", true, true, {"ing"}, {}},
      {"networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy", true, false, {"netpol"}, {}},
      {"networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", false, false, {}, {}},
      {"policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", true, true, {"pdb"}, {}},
      {"rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", false, false, {}, {}},
      {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", false,
       false, {}, {}},
      {"rbac.authorization.k8s.io", "v1", "Role", "roles", "role", true, false, {}, {}},
      {"rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", true, false, {}, {}},
      {"storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", false, false, {"sc"}, {}},
      {"admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
       "validatingwebhookconfiguration", false, false, {}, {"api-extensions"}},
      {"admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations",
       "mutatingwebhookconfiguration", false, false, {}, {"api-extensions"}},
      {"scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass", false, false, {"pc"}, {}},
      {"coordination.k8s.io", "v1", "Lease", "leases", "lease", true, false, {}, {}},
      // Computed, never stored (handlers_auth.cpp); create only.
      {"authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "", false, false, {}, {}},
      {"authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", "", false, false, {}, {}},
      {"authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", "", true, false, {},
       {}},
      {"authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", "", false, false, {}, {}},
  };
  return rows;
}

}  // namespace

std::vector<ResourceInfo> BuiltinResources() {
  std::vector<ResourceInfo> out;
  for (const Row& row : Rows()) {
    ResourceInfo info;
    info.group = row.group;
    info.version = row.version;
    info.kind = row.kind;
    info.list_kind = std::string(row.kind) + "List";
    info.plural = row.plural;
    info.singular = row.singular;
    info.namespaced = row.namespaced;
    info.has_status = row.has_status;
    info.short_names = row.short_names;
    info.categories = row.categories;
    if (info.group == "authorization.k8s.io" || info.group == "authentication.k8s.io") info.verbs = {"create"};
    if (info.group == "apps" &&
        (info.plural == "deployments" || info.plural == "replicasets" || info.plural == "statefulsets")) {
      info.scale_spec_replicas_path = ".spec.replicas";
      info.scale_status_replicas_path = ".status.replicas";
      info.scale_selector_path = ".spec.selector";
    }
    info.builtin_schema = InlinedBuiltinSchema(info.group, info.version, info.kind);
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace fluxcpp::devapiserver
