#pragma once
// The ordered resource list of a build and kustomize's id rules over it.

#include <string>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kustomize/resource.h"

namespace fluxcpp::kustomize {

using ResMap = std::vector<Resource>;

// Appends `r`, refusing a second resource with the same current id
// ("may not add resource with an already registered id: ...").
absl::Status AppendResource(ResMap& m, Resource r);
absl::Status AppendAll(ResMap& m, ResMap more);

// The equality keys (ResId::EqualityKey) of a ResMap's current ids, kept in
// step with a sequence of appends so that appending file after file costs
// O(appended) instead of rescanning the whole map each time. Valid only while
// the map changes by AppendAll(m, more, keys) alone; a size mismatch (the map
// changed behind its back) rebuilds it.
class IdKeySet {
 public:
  explicit IdKeySet(const ResMap& m) { Rebuild(m); }
  void Rebuild(const ResMap& m);

 private:
  friend absl::Status AppendAll(ResMap& m, ResMap more, IdKeySet& keys);
  std::unordered_set<std::string> keys_;
  size_t covered_ = 0;
};
absl::Status AppendAll(ResMap& m, ResMap more, IdKeySet& keys);

// Parses a YAML stream into resources the way kustomize's resource factory
// does: empty documents dropped, "*List" kinds with items inlined (their items
// go to the end of the stream), every document must be a map.
absl::StatusOr<ResMap> ResourcesFromBytes(std::string_view text);

}  // namespace fluxcpp::kustomize
