#pragma once
// Kind-specific write rules (kube-apiserver's registry "strategies"):
// what create resets, what update preserves, and per-kind defaults:
//   Namespace  status.phase Active, spec.finalizers [kubernetes], the
//              kubernetes.io/metadata.name label; spec.finalizers kept on update
//   Secret     stringData folded into base64 data; type defaults to Opaque
//   Service    type ClusterIP, a clusterIP from 10.96.0.0/16, sessionAffinity None
//   CRD        validation and the status the CRD controllers would set
//   custom     pruning of unknown fields, structural defaulting and
//              validation from the CRD schema (422 Invalid with causes);
//              `field_validation` "Strict" rejects pruned fields (400)
//   updates    immutable fields of built-in kinds (immutable_fields.h, 422)
// Pure functions; thread-safe.

#include <string>

#include "absl/status/status.h"
#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_info.h"

namespace fluxcpp::devapiserver {

// Adjusts a new object before it is stored. `now` is RFC 3339.
absl::Status PrepareForCreate(const ResourceInfo& resource, object::Value& obj, const std::string& now,
                              const std::string& field_validation = "");
// Adjusts an updated object; `current` is the stored version.
absl::Status PrepareForUpdate(const ResourceInfo& resource, const object::Value& current, object::Value& obj,
                              const std::string& now, const std::string& field_validation = "");

// Checks label and annotation values are strings (kube rejects others while decoding).
absl::Status ValidateMetadataMaps(const object::Value& obj);

bool IsNamespaceResource(const ResourceInfo& r);
bool IsCrdResource(const ResourceInfo& r);

}  // namespace fluxcpp::devapiserver
