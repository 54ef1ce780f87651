#include "libs/kustomize/build_annotations.h"

#include <vector>

#include "absl/strings/str_join.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

constexpr char kPrevNames[] = "internal.config.kubernetes.io/previousNames";
constexpr char kPrevKinds[] = "internal.config.kubernetes.io/previousKinds";
constexpr char kPrevNamespaces[] = "internal.config.kubernetes.io/previousNamespaces";
constexpr char kPrefixes[] = "internal.config.kubernetes.io/prefixes";
constexpr char kSuffixes[] = "internal.config.kubernetes.io/suffixes";
constexpr char kNeedsHash[] = "internal.config.kubernetes.io/needsHashSuffix";
constexpr char kBehavior[] = "internal.config.kubernetes.io/generatorBehavior";
constexpr char kOrigin[] = "config.kubernetes.io/origin";
constexpr char kTransformations[] = "alpha.config.kubernetes.io/transformations";

// kustomize records previous namespaces as effective namespaces.
std::string PrevNamespace(const ResId& id) {
  if (!IsNamespaceableKind(id.kind)) return "_non_namespaceable_";
  return id.ns.empty() ? "default" : id.ns;
}

}  // namespace

void InjectBuildAnnotations(const Resource& r, Value& obj) {
  if (!obj.is_object()) return;
  Value& meta = obj["metadata"];
  if (!meta.is_object()) return;  // not a resource shape; nothing to add
  auto existing = meta.find("annotations");
  if (existing != meta.end() && !existing->is_object() && !existing->is_null()) return;
  Value& ann = meta["annotations"];
  if (ann.is_null()) ann = Value::object();
  if (!r.prev_ids.empty()) {
    std::vector<std::string> names, kinds, namespaces;
    for (const ResId& id : r.prev_ids) {
      names.push_back(id.name);
      kinds.push_back(id.kind);
      namespaces.push_back(PrevNamespace(id));
    }
    ann[kPrevNames] = absl::StrJoin(names, ",");
    ann[kPrevKinds] = absl::StrJoin(kinds, ",");
    ann[kPrevNamespaces] = absl::StrJoin(namespaces, ",");
  }
  if (!r.prefixes.empty()) ann[kPrefixes] = absl::StrJoin(r.prefixes, ",");
  if (!r.suffixes.empty()) ann[kSuffixes] = absl::StrJoin(r.suffixes, ",");
  if (r.generated) {
    if (r.needs_hash) ann[kNeedsHash] = "enabled";
    ann[kBehavior] = r.behavior_unspecified ? std::string("unspecified") : r.behavior;
  }
  if (r.origin) ann[kOrigin] = r.origin->ToYaml();
  if (!r.transformations.empty()) ann[kTransformations] = TransformationsToYaml(r.transformations);
}

void StripBuildAnnotations(Value& obj) {
  if (!obj.is_object()) return;
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return;
  auto ann_it = meta->find("annotations");
  if (ann_it == meta->end() || !ann_it->is_object()) return;
  for (const char* key :
       {kPrevNames, kPrevKinds, kPrevNamespaces, kPrefixes, kSuffixes, kNeedsHash, kBehavior, kOrigin, kTransformations}) {
    ann_it->erase(key);
  }
  if (ann_it->empty()) meta->erase(ann_it);
}

}  // namespace fluxcpp::kustomize
