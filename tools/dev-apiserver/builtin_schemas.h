#pragma once
// OpenAPI schemas of the built-in kinds, built once from the compact table in
// builtin_schemas.inc (Deployment, ReplicaSet, StatefulSet, DaemonSet, Pod,
// Service, ConfigMap, Secret, Namespace, ServiceAccount, PVC, Job, CronJob,
// Ingress, NetworkPolicy, HPA, PDB, RBAC).
// Definitions are named as kube names them ("io.k8s.api.apps.v1.Deployment")
// and refer to each other with "$ref": "#/components/schemas/<name>".
// List fields carry x-kubernetes-list-type/-list-map-keys and the strategic
// merge extensions (x-kubernetes-patch-merge-key/-patch-strategy).
//
// Thread-safe (immutable after first use).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::devapiserver {

// Every definition, by name.
const std::map<std::string, object::Value>& BuiltinSchemaDefinitions();

// The definition name of a served built-in kind ("" when none is published).
std::string BuiltinSchemaName(const std::string& group, const std::string& version, const std::string& kind);

// The names `roots` refer to, transitively, roots included (sorted).
std::vector<std::string> BuiltinSchemaClosure(const std::vector<std::string>& roots);

// The kind's schema with every $ref replaced by its definition (for merging
// and pruning), or nullptr when the kind has none.
std::shared_ptr<const object::Value> InlinedBuiltinSchema(const std::string& group, const std::string& version,
                                                          const std::string& kind);

}  // namespace fluxcpp::devapiserver
