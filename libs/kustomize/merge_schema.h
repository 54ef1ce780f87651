#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"
// The strategic-merge facts of the Kubernetes API kustomize relies on: for a
// kind and a field path, whether a list merges (x-kubernetes-patch-strategy
// "merge") and by which keys (patchMergeKey / x-kubernetes-list-map-keys).

#include <string>
#include <vector>

namespace fluxcpp::kustomize {

// A node of the schema: a named type (e.g. "PodSpec") or none.
struct SchemaRef {
  const struct SchemaType* type = nullptr;
  bool merge_list = false;            // patch strategy includes "merge"
  std::vector<std::string> keys;      // merge keys (empty for primitive lists)
  const struct SchemaType* element = nullptr;  // element type of a list
};

struct SchemaType {
  std::string name;
  // Field name -> reference; missing fields have no schema.
  std::vector<std::pair<std::string, SchemaRef>> fields;
  const SchemaRef* Field(const std::string& name) const;
};

// A custom OpenAPI schema (kustomization `openapi: {path: ...}`): a JSON/YAML
// document with `definitions`; kinds come from x-kubernetes-group-version-kind,
// list merge behaviour from x-kubernetes-patch-strategy ("merge") with
// x-kubernetes-list-map-keys or else x-kubernetes-patch-merge-key. It is
// layered over the built-in facts: $refs to definitions the document lacks
// and kinds it does not define use the built-in schema.
class CustomSchema {
 public:
  static absl::StatusOr<std::shared_ptr<const CustomSchema>> Parse(const object::Value& doc);
  const SchemaType* ForKind(const std::string& api_version, const std::string& kind) const;

 private:
  std::map<std::string, std::unique_ptr<SchemaType>> types_;
  std::map<std::string, const SchemaType*> kinds_;  // "group/version/kind"
};

// The OpenAPI choice of one build (kustomize's openapi.SetSchema): the first
// kustomization (top first, then bases in accumulation order) with an
// `openapi` field fixes it for the whole build.
struct OpenApiState {
  bool set = false;
  std::shared_ptr<const CustomSchema> custom;  // null: the built-in facts
};

// Makes `state` the calling thread's OpenAPI state while alive (Build
// installs one per build, so concurrent builds on other threads don't mix).
class ScopedOpenApiState {
 public:
  explicit ScopedOpenApiState(OpenApiState* state);
  ~ScopedOpenApiState();
  ScopedOpenApiState(const ScopedOpenApiState&) = delete;
  ScopedOpenApiState& operator=(const ScopedOpenApiState&) = delete;

 private:
  OpenApiState* prev_;
};

// This thread's state (nullptr outside a build).
OpenApiState* CurrentOpenApiState();

// Root schema of a kind (nullptr when kustomize would have none, e.g. CRD
// kinds). A custom schema in effect is consulted first.
const SchemaType* SchemaForKind(const std::string& api_version, const std::string& kind);

}  // namespace fluxcpp::kustomize
