#pragma once
// A resource in flight through a kustomize build: the object plus the build
// bookkeeping kustomize keeps in internal annotations (previous ids for name
// references, applied prefixes/suffixes, generator options).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Group/version/kind + name + namespace, printed as kustomize prints ResIds:
// "Deployment.v1.apps/name.ns" with [noGrp] / [noNs] placeholders.
struct ResId {
  std::string group, version, kind, name, ns;

  std::string GvkString() const;
  std::string String() const;
  // kustomize's ResId.Equals: same gvk and name, and namespaces equal after
  // treating "" as "default" (cluster-scoped kinds ignore namespace).
  bool Equals(const ResId& other) const;
  // Two ids are Equals() exactly when their keys are equal (for hash lookups).
  std::string EqualityKey() const;
  bool GvkEquals(const ResId& other) const { return group == other.group && version == other.version && kind == other.kind; }
};

// Splits "group/version" (or "v1").
void SplitApiVersion(const std::string& api_version, std::string* group, std::string* version);

// False for the kinds Kubernetes serves cluster-scoped (Namespace, ClusterRole, CRDs, ...).
bool IsNamespaceableKind(const std::string& kind);

// True for the API groups Kubernetes itself serves ("", "apps", "policy",
// "*.k8s.io"): only there does a kind name say whether it is cluster-scoped
// (a CRD kind "Namespace" of group servicebus.azure.com is namespaced).
bool IsBuiltinApiGroup(const std::string& group);

// Where a resource (or a transformer/generator config) came from, as
// kustomize records it for buildMetadata (resource.Origin): a file path
// relative to the build root, or the config that generated it.
struct Origin {
  std::string path;
  std::string repo;  // remote base: the repository (RepoSpec::CloneSpec) and ref
  std::string ref;
  std::string configured_in;
  // configuredBy: the generator/transformer config's identity.
  std::string api_version, kind, name, ns;

  // kyaml.Marshal of the origin (fields in kustomize's order), e.g.
  // "path: base/a.yaml\n". Each line is prefixed with `indent`.
  std::string ToYaml(const std::string& indent = "") const;
};

// An optional, immutable Origin held by pointer (a Resource stays small when,
// as usual, origins are not tracked). Copies share the Origin.
class OptionalOrigin {
 public:
  OptionalOrigin() = default;
  OptionalOrigin& operator=(const Origin& o) {
    p_ = std::make_shared<const Origin>(o);
    return *this;
  }
  OptionalOrigin& operator=(const std::optional<Origin>& o) {
    p_ = o ? std::make_shared<const Origin>(*o) : nullptr;
    return *this;
  }
  explicit operator bool() const { return p_ != nullptr; }
  const Origin* operator->() const { return p_.get(); }
  const Origin& operator*() const { return *p_; }

 private:
  std::shared_ptr<const Origin> p_;
};

// kyaml.Marshal of a transformation list ("- configuredIn: ...\n  configuredBy: ...").
std::string TransformationsToYaml(const std::vector<Origin>& list);

// filepath.Join: joins and cleans ("" parts skipped, "a/../b" -> "b").
std::string JoinPath(const std::string& a, const std::string& b);

struct Resource {
  object::Value obj;

  // Ids this resource had before renames, oldest first.
  std::vector<ResId> prev_ids;
  std::vector<std::string> prefixes, suffixes;

  // Generated ConfigMap/Secret bookkeeping.
  bool generated = false;
  bool needs_hash = false;
  std::string behavior;  // "create" | "merge" | "replace" | ""
  bool behavior_unspecified = false;  // the generator named no behavior ("create" by default)

  // Names of the vars whose objref is this resource.
  std::vector<std::string> ref_var_names;

  // Origin tracking (any buildMetadata): where the resource came from, and
  // the transformers applied to it since. Written out as the
  // config.kubernetes.io/origin and alpha.config.kubernetes.io/transformations
  // annotations when buildMetadata asks for them.
  OptionalOrigin origin;
  std::vector<Origin> transformations;

  ResId CurId() const;
  // The id before any rename (the first previous id, else the current one).
  ResId OrigId() const;
  std::string Name() const;
  std::string Namespace() const;
  std::string Kind() const;
  void SetName(const std::string& name);
  void SetNamespace(const std::string& ns);
  // Records the current id as a previous id (before a rename).
  void StorePreviousId();
  // True when `id` equals the current id or any previous id.
  bool MatchesAnyId(const ResId& id) const;
};

}  // namespace fluxcpp::kustomize
