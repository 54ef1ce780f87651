#include "tools/dev-apiserver/openapi.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/core/digest.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

std::string GvPath(const std::string& group, const std::string& version) {
  return group.empty() ? absl::StrCat("api/", version) : absl::StrCat("apis/", group, "/", version);
}

Value QueryParam(const std::string& name) {
  return {{"name", name}, {"in", "query"}, {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}


// "io.fluxcd.toolkit.source.v1.GitRepository", as kube names CRD schemas.
std::string SchemaName(const ResourceInfo& r) {
  std::vector<std::string> parts = absl::StrSplit(r.group, '.');
  std::reverse(parts.begin(), parts.end());
  return absl::StrCat(absl::StrJoin(parts, "."), ".", r.version, ".", r.kind);
}

// The CRD schema with ObjectMeta's fields described the way kube publishes them.
Value PublishedSchema(const ResourceInfo& r) {
  Value schema = *r.schema;
  Value gvk = Value::array({{{"group", r.group}, {"kind", r.kind}, {"version", r.version}}});
  schema["x-kubernetes-group-version-kind"] = gvk;
  if (schema.is_object()) {
    Value& props = schema["properties"];
    if (!props.is_object()) props = Value::object();
    props["apiVersion"] = {{"type", "string"},
                           {"description", "APIVersion defines the versioned schema of this representation of an "
                                           "object."}};
    props["kind"] = {{"type", "string"},
                     {"description", "Kind is a string value representing the REST resource this object "
                                     "represents."}};
    props["metadata"] = {{"type", "object"},
                         {"description", "Standard object's metadata."},
                         {"properties",
                          {{"name", {{"type", "string"}}},
                           {"namespace", {{"type", "string"}}},
                           {"labels", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
                           {"annotations", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}}}}};
  }
  return schema;
}

}  // namespace

Value OpenApiV3GroupVersion(const ResourceRegistry& registry, const std::string& group, const std::string& version) {
  auto resources = registry.InGroupVersion(group, version);
  if (resources.empty()) return nullptr;
  Value paths = Value::object();
  Value schemas = Value::object();
  for (const ResourcePtr& r : resources) {
    if (r->custom && r->schema != nullptr) schemas[SchemaName(*r)] = PublishedSchema(*r);
    std::string base = "/" + GvPath(group, version);
    std::string path = r->namespaced ? absl::StrCat(base, "/namespaces/{namespace}/", r->plural, "/{name}")
                                     : absl::StrCat(base, "/", r->plural, "/{name}");
    Value gvk = {{"group", group}, {"version", version}, {"kind", r->kind}};
    Value content = Value::object();
    for (const char* type : {"application/json-patch+json", "application/merge-patch+json",
                             "application/apply-patch+yaml"}) {
      content[type] = {{"schema", {{"type", "object"}}}};
    }
    Value patch = {{"operationId", absl::StrCat("patch", r->kind)},
                   {"x-kubernetes-action", "patch"},
                   {"x-kubernetes-group-version-kind", gvk},
                   {"parameters", Value::array({QueryParam("dryRun"), QueryParam("fieldManager"),
                                                QueryParam("fieldValidation"), QueryParam("force")})},
                   {"requestBody", {{"content", content}, {"required", true}}},
                   {"responses", {{"200", {{"description", "OK"}}}}}};
    paths[path] = {{"patch", patch}};
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
          {"paths", paths},
          {"components", {{"schemas", schemas}}}};
}

Value OpenApiV3Index(const ResourceRegistry& registry) {
  Value paths = Value::object();
  for (const auto& g : registry.Groups()) {
    for (const std::string& v : g.versions) {
      std::string doc = object::ToJson(OpenApiV3GroupVersion(registry, g.group, v));
      std::string hash = Sha256Hex(doc).substr(0, 32);
      paths[GvPath(g.group, v)] = {
          {"serverRelativeURL", absl::StrCat("/openapi/v3/", GvPath(g.group, v), "?hash=", hash)}};
    }
  }
  return {{"paths", paths}};
}

}  // namespace fluxcpp::devapiserver
