#pragma once
// Minimal OpenAPI v3 documents: one per served group/version, listing for
// every kind its object path with a PATCH operation that carries
// x-kubernetes-group-version-kind, the query parameters the server accepts
// (fieldValidation, fieldManager, dryRun, force), the patch media types and,
// for custom resources, their schemas.
//
// That is what kubectl reads before `apply`: seeing fieldValidation
// supported, it leaves validation to the server instead of downloading
// schemas, and seeing no strategic-merge-patch media type it computes
// client-side-apply patches from its built-in Go types (merge patch for
// custom resources). No schemas are published (kubectl explain is not
// supported for built-ins; custom resources publish their CRD schema under
// components.schemas with x-kubernetes-group-version-kind, which is what
// `kubectl explain` reads). /openapi/v2 stays 404.
//
// Thread-safe (reads the registry).

#include <string>

#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_registry.h"

namespace fluxcpp::devapiserver {

// The /openapi/v3 index: {"paths": {"api/v1": {"serverRelativeURL": ...}, ...}}.
object::Value OpenApiV3Index(const ResourceRegistry& registry);
// The document of one group/version (null when not served).
object::Value OpenApiV3GroupVersion(const ResourceRegistry& registry, const std::string& group,
                                    const std::string& version);

}  // namespace fluxcpp::devapiserver
