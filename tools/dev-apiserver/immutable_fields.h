#pragma once
// kube-apiserver's update validation of immutable fields for the common
// built-in kinds (the `ValidateXUpdate` functions of k8s.io/kubernetes
// pkg/apis/*/validation), worded as kube words them:
//   Job          spec.selector, spec.template, spec.completions
//                `Job.batch "x" is invalid: spec.template: Invalid value: {...}: field is immutable`
//   Deployment, DaemonSet, ReplicaSet   spec.selector (field is immutable)
//   StatefulSet  spec outside replicas/ordinals/template/updateStrategy/
//                persistentVolumeClaimRetentionPolicy/minReadySeconds
//                (`spec: Forbidden: updates to statefulset spec for fields other than ...`)
//   Service      spec.clusterIP once set (`spec.clusterIPs[0]: ... may not change once set`),
//                unless the new type is ExternalName
//   PVC          spec except resources.requests and volumeAttributesClassName
//   ConfigMap, Secret with `immutable: true`: data, binaryData (stringData
//                is already folded into data), immutable itself; Secret type always
// Values are shown as compact JSON where kube prints Go values (%#v).
// Custom resources are not affected (their rules would be CEL).
// Pure; thread-safe.

#include "absl/status/status.h"
#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_info.h"

namespace fluxcpp::devapiserver {

// Returns a 422 Invalid naming every immutable field `updated` changes
// relative to `current`, or OK. Both are full objects after defaulting.
absl::Status ValidateImmutableFields(const ResourceInfo& resource, const object::Value& current,
                                     const object::Value& updated);

}  // namespace fluxcpp::devapiserver
