#pragma once
// Secondary indexes of an informer's cache (client-go's Indexers): an index
// function maps an object to the values it is found under, e.g. the source
// a Kustomization reads, so that "which objects use X?" is a lookup instead
// of a parse of the whole cache.
//
//   informer.AddIndexer("sourceRef", IndexByReference({"spec", "sourceRef"}));
//   auto users = informer.ByIndex("sourceRef", ReferenceIndexValue("GitRepository", "flux-system", "repo"));

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::runtime {

// The values `obj` is indexed under (none: not in the index). Runs with the
// informer's cache locked: read fields, nothing more.
using IndexFunc = std::function<std::vector<std::string>(const object::Value& obj)>;

// "<kind>/<namespace>/<name>", the value IndexByReference produces.
std::string ReferenceIndexValue(std::string_view kind, std::string_view ns, std::string_view name);

// Indexes by the object reference at `path` (an object with kind, name and
// optional namespace, which defaults to the referring object's namespace,
// as in Flux's cross-namespace refs). Objects without one are not indexed.
IndexFunc IndexByReference(std::vector<std::string> path);

}  // namespace fluxcpp::runtime
