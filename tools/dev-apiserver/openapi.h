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
// custom resources). Schemas: custom resources publish their CRD schema,
// built-in kinds the compact schemas of builtin_schemas.h, under
// components.schemas with x-kubernetes-group-version-kind (what `kubectl
// explain` reads), each document with the definitions it references.
//
// /openapi/v2 is served as JSON only: kubectl asks for the gnostic protobuf
// encoding and gets 406, as from a server without it, and keeps computing
// client-side-apply patches from its compiled-in types (the authoritative
// patch strategies) instead of from these compact schemas.
//
// Thread-safe (reads the registry).

#include <string>

#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_registry.h"

namespace fluxcpp::devapiserver {

// The /openapi/v2 document (Swagger 2.0, JSON): every built-in and CRD
// schema under `definitions`, one PATCH operation per resource.
object::Value OpenApiV2(const ResourceRegistry& registry);

// The /openapi/v3 index: {"paths": {"api/v1": {"serverRelativeURL": ...}, ...}}.
object::Value OpenApiV3Index(const ResourceRegistry& registry);
// The document of one group/version (null when not served).
object::Value OpenApiV3GroupVersion(const ResourceRegistry& registry, const std::string& group,
                                    const std::string& version);

}  // namespace fluxcpp::devapiserver
