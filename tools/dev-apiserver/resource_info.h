#pragma once
// What the server knows about one served resource (one group/version/plural),
// built-in or defined by a CustomResourceDefinition. Immutable once built and
// shared as std::shared_ptr<const ResourceInfo> across threads.

#include <memory>
#include <string>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::devapiserver {

// One column of `kubectl get` output (CRD additionalPrinterColumns shape).
struct PrinterColumn {
  std::string name;
  std::string type;  // string | integer | number | boolean | date
  std::string format;
  std::string description;
  std::string json_path;
  int priority = 0;
};

struct ResourceInfo {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
  std::string list_kind;
  std::string plural;
  std::string singular;
  bool namespaced = true;
  bool has_status = false;  // serves <plural>/status
  bool custom = false;      // defined by a CRD
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
  // CRD additionalPrinterColumns of this version (empty: NAME, AGE).
  std::vector<PrinterColumn> printer_columns;
  // CRD openAPIV3Schema of this version (nullptr when none), for defaulting.
  std::shared_ptr<const object::Value> schema;
  // Built-in kinds: their published schema with every $ref inlined (list
  // types for server-side apply, unknown fields for fieldValidation=Strict).
  std::shared_ptr<const object::Value> builtin_schema;
  // CRD name (<plural>.<group>) when custom.
  std::string crd_name;
  // The scale subresource (<plural>/scale) when spec_replicas_path is set:
  // dotted paths like ".spec.replicas"; the selector path names either a
  // label selector string (CRDs) or, for built-ins, ".spec.selector".
  std::string scale_spec_replicas_path;
  std::string scale_status_replicas_path;
  std::string scale_selector_path;
  bool HasScale() const { return !scale_spec_replicas_path.empty(); }

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "deployments.apps", "configmaps": names the storage of this resource,
  // shared by all versions of it.
  std::string GroupResource() const { return group.empty() ? plural : plural + "." + group; }
  // "Deployment.apps", "ConfigMap": how error messages name the kind.
  std::string GroupKind() const { return group.empty() ? kind : kind + "." + group; }
  // Whether writes maintain metadata.generation.
  bool TracksGeneration() const { return has_status || custom; }
  // The structural schema of this version, if any (CRD or built-in).
  const object::Value* StructuralSchema() const {
    return schema != nullptr ? schema.get() : builtin_schema.get();
  }
};

using ResourcePtr = std::shared_ptr<const ResourceInfo>;

}  // namespace fluxcpp::devapiserver
