#pragma once
// CustomResourceDefinition handling: validation of the parts the server
// relies on, the status kube-apiserver's CRD controllers would write
// (NamesAccepted, Established, acceptedNames, storedVersions), and the
// ResourceInfo of every served version.
//
// Pure functions; thread-compatible.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_info.h"

namespace fluxcpp::devapiserver {

// Invalid (422) when names/group/versions/scope are unusable.
absl::Status ValidateCrd(const ResourceInfo& crd_resource, const object::Value& crd);

// Sets status.conditions (keeping lastTransitionTime of unchanged ones),
// status.acceptedNames and status.storedVersions. `now` is RFC 3339.
void SetCrdStatus(object::Value& crd, const std::string& now);

// One ResourceInfo per served version (storage shared, keyed by group/plural).
std::vector<ResourceInfo> ResourcesFromCrd(const object::Value& crd);

}  // namespace fluxcpp::devapiserver
