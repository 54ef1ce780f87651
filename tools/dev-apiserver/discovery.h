#pragma once
// Discovery documents built from the ResourceRegistry, in kube-apiserver's
// shapes: /version, /api (APIVersions), /api/v1 and /apis/<g>/<v>
// (APIResourceList), /apis (APIGroupList), /apis/<g> (APIGroup).
// Always the unaggregated (v1) forms: clients asking for aggregated
// discovery (apidiscovery.k8s.io/v2) fall back to these.
//
// Thread-safe (reads the registry).

#include <string>

#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_registry.h"

namespace fluxcpp::devapiserver {

object::Value VersionInfo();
object::Value ApiVersions(const std::string& server_address);
object::Value ApiGroupList(const ResourceRegistry& registry);
// nullptr-valued when the group is not served.
object::Value ApiGroup(const ResourceRegistry& registry, const std::string& group);
// null when group/version is not served.
object::Value ApiResourceList(const ResourceRegistry& registry, const std::string& group, const std::string& version);

}  // namespace fluxcpp::devapiserver
