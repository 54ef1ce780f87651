#pragma once
// The scale subresource (autoscaling/v1 Scale) of workloads: what `kubectl
// scale` and autoscalers read and write. Built-ins (Deployment, ReplicaSet,
// StatefulSet) scale .spec.replicas; custom resources use their CRD's
// subresources.scale paths. Pure functions; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_info.h"

namespace fluxcpp::devapiserver {

// The Scale view of `obj`.
object::Value ScaleOf(const ResourceInfo& resource, const object::Value& obj);
// Sets the replicas `scale` asks for into `obj` (BadRequest when absent or
// not an integer).
absl::Status ApplyScale(const ResourceInfo& resource, const object::Value& scale, object::Value& obj);

}  // namespace fluxcpp::devapiserver
