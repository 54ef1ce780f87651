#include "libs/kustomize/resource.h"

#include "absl/strings/str_cat.h"

#include <filesystem>
#include <set>

namespace fluxcpp::kustomize {

void SplitApiVersion(const std::string& api_version, std::string* group, std::string* version) {
  size_t slash = api_version.rfind('/');
  if (slash == std::string::npos) {
    group->clear();
    *version = api_version;
  } else {
    *group = api_version.substr(0, slash);
    *version = api_version.substr(slash + 1);
  }
}

bool IsNamespaceableKind(const std::string& kind) {
  // Cluster-scoped kinds of the Kubernetes API (as kustomize v5.5.0 knows them).
  static const std::set<std::string> kClusterScoped = {
      "APIService",
      "CSIDriver",
      "CSINode",
      "CertificateSigningRequest",
      "ClusterRole",
      "ClusterRoleBinding",
      "ComponentStatus",
      "CustomResourceDefinition",
      "FlowSchema",
      "IngressClass",
      "MutatingWebhookConfiguration",
      "Namespace",
      "Node",
      "PersistentVolume",
      "PodSecurityPolicy",
      "PriorityClass",
      "PriorityLevelConfiguration",
      "RuntimeClass",
      "SelfSubjectAccessReview",
      "SelfSubjectRulesReview",
      "StorageClass",
      "SubjectAccessReview",
      "TokenReview",
      "ValidatingWebhookConfiguration",
      "VolumeAttachment",
  };
  return kClusterScoped.count(kind) == 0;
}

std::string ResId::GvkString() const {
  return (kind.empty() ? "[noKind]" : kind) + "." + (version.empty() ? "[noVer]" : version) + "." +
         (group.empty() ? "[noGrp]" : group);
}

std::string ResId::String() const {
  return GvkString() + "/" + (name.empty() ? "[noName]" : name) + "." + (ns.empty() ? "[noNs]" : ns);
}

bool ResId::Equals(const ResId& o) const {
  if (!GvkEquals(o) || name != o.name) return false;
  if (!IsNamespaceableKind(kind)) return true;
  std::string a = ns.empty() ? "default" : ns;
  std::string b = o.ns.empty() ? "default" : o.ns;
  return a == b;
}

std::string ResId::EqualityKey() const {
  std::string scope = IsNamespaceableKind(kind) ? (ns.empty() ? "default" : ns) : "";
  return absl::StrCat(group, "\x1f", version, "\x1f", kind, "\x1f", name, "\x1f", scope);
}

bool IsBuiltinApiGroup(const std::string& group) {
  if (group.find('.') == std::string::npos) return true;
  const std::string suffix = ".k8s.io";
  return group.size() > suffix.size() && group.compare(group.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Origin::ToYaml(const std::string& indent) const {
  std::string out;
  auto line = [&](const std::string& key, const std::string& value, const std::string& extra) {
    if (!value.empty()) out += indent + extra + key + ": " + value + "\n";
  };
  line("path", path, "");
  line("repo", repo, "");
  line("ref", ref, "");
  line("configuredIn", configured_in, "");
  if (!api_version.empty() || !kind.empty() || !name.empty() || !ns.empty()) {
    out += indent + "configuredBy:\n";
    line("apiVersion", api_version, "  ");
    line("kind", kind, "  ");
    line("name", name, "  ");
    line("namespace", ns, "  ");
  }
  return out;
}

std::string TransformationsToYaml(const std::vector<Origin>& list) {
  std::string out;
  for (const Origin& o : list) {
    std::string body = o.ToYaml("  ");
    if (body.size() >= 2) body.replace(0, 2, "- ");
    out += body;
  }
  return out;
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b.empty() ? "" : std::filesystem::path(b).lexically_normal().string();
  std::string out = (std::filesystem::path(a) / b).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

ResId Resource::CurId() const {
  ResId id;
  SplitApiVersion(object::GetString(obj, {"apiVersion"}), &id.group, &id.version);
  id.kind = object::GetString(obj, {"kind"});
  id.name = object::GetString(obj, {"metadata", "name"});
  id.ns = object::GetString(obj, {"metadata", "namespace"});
  return id;
}

ResId Resource::OrigId() const { return prev_ids.empty() ? CurId() : prev_ids.front(); }

std::string Resource::Name() const { return object::GetString(obj, {"metadata", "name"}); }
std::string Resource::Namespace() const { return object::GetString(obj, {"metadata", "namespace"}); }
std::string Resource::Kind() const { return object::GetString(obj, {"kind"}); }

void Resource::SetName(const std::string& name) { object::Ensure(obj, {"metadata", "name"}) = name; }
void Resource::SetNamespace(const std::string& ns) { object::Ensure(obj, {"metadata", "namespace"}) = ns; }

void Resource::StorePreviousId() {
  // Exact growth: a resource collects a handful of ids, and thousands of
  // resources each keeping doubling slack add up.
  prev_ids.reserve(prev_ids.size() + 1);
  prev_ids.push_back(CurId());
}

bool Resource::MatchesAnyId(const ResId& id) const {
  if (CurId().Equals(id)) return true;
  for (const ResId& p : prev_ids) {
    if (p.Equals(id)) return true;
  }
  return false;
}

}  // namespace fluxcpp::kustomize
