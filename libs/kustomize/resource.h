#pragma once
// A resource in flight through a kustomize build: the object plus the build
// bookkeeping kustomize keeps in internal annotations (previous ids for name
// references, applied prefixes/suffixes, generator options).

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
  bool GvkEquals(const ResId& other) const { return group == other.group && version == other.version && kind == other.kind; }
};

// Splits "group/version" (or "v1").
void SplitApiVersion(const std::string& api_version, std::string* group, std::string* version);

// False for the kinds Kubernetes serves cluster-scoped (Namespace, ClusterRole, CRDs, ...).
bool IsNamespaceableKind(const std::string& kind);

struct Resource {
  object::Value obj;

  // Ids this resource had before renames, oldest first.
  std::vector<ResId> prev_ids;
  std::vector<std::string> prefixes, suffixes;

  // Generated ConfigMap/Secret bookkeeping.
  bool generated = false;
  bool needs_hash = false;
  std::string behavior;  // "create" | "merge" | "replace" | ""

  // Set when buildMetadata asks for origin annotations.
  std::optional<object::Value> origin;
  // Transformer annotations (buildMetadata: transformerAnnotations).
  object::Value transformations = object::Value::array();

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
