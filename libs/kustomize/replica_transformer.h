#pragma once
// kustomize's ReplicaCountTransformer: `replicas: [{name, count}]` sets
// spec/replicas on the workloads named `name` (current or previous name).

#include <vector>

#include "absl/status/status.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/res_map.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

absl::Status TransformReplicas(ResMap& m, const object::Value& replica, const std::vector<FieldSpec>& field_specs);

}  // namespace fluxcpp::kustomize
