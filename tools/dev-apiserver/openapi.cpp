#include "tools/dev-apiserver/openapi.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/core/digest.h"
#include "tools/dev-apiserver/builtin_schemas.h"

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
  std::vector<std::string> builtin_roots;
  for (const ResourcePtr& r : resources) {
    if (r->custom && r->schema != nullptr) schemas[SchemaName(*r)] = PublishedSchema(*r);
    if (!r->custom) {
      std::string name = BuiltinSchemaName(r->group, r->version, r->kind);
      if (!name.empty()) builtin_roots.push_back(name);
    }
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
  for (const std::string& name : BuiltinSchemaClosure(builtin_roots)) {
    schemas[name] = BuiltinSchemaDefinitions().at(name);
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
          {"paths", paths},
          {"components", {{"schemas", schemas}}}};
}

namespace {

// An OpenAPI v3 schema in Swagger 2.0 terms: references into #/definitions,
// `allOf: [$ref]` back to a plain $ref (v2 allows a description beside it),
// int-or-string as kube publishes it in v2.
Value ToV2(const Value& v) {
  if (v.is_array()) {
    Value out = Value::array();
    for (const Value& e : v) out.push_back(ToV2(e));
    return out;
  }
  if (!v.is_object()) return v;
  if (auto all = v.find("allOf"); all != v.end() && all->is_array() && all->size() == 1) {
    Value out = ToV2((*all)[0]);
    if (auto d = v.find("description"); d != v.end()) out["description"] = *d;
    return out;
  }
  Value out = Value::object();
  bool int_or_string = v.value("x-kubernetes-int-or-string", false);
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.key() == "$ref" && it.value().is_string()) {
      std::string ref = it.value().get<std::string>();
      const std::string prefix = "#/components/schemas/";
      if (absl::StartsWith(ref, prefix)) ref = "#/definitions/" + ref.substr(prefix.size());
      out["$ref"] = ref;
    } else if (int_or_string && it.key() == "anyOf") {
      continue;
    } else {
      out[it.key()] = ToV2(it.value());
    }
  }
  if (int_or_string) {
    out["type"] = "string";
    out["format"] = "int-or-string";
  }
  return out;
}

}  // namespace

Value OpenApiV2(const ResourceRegistry& registry) {
  Value definitions = Value::object();
  for (const auto& [name, schema] : BuiltinSchemaDefinitions()) definitions[name] = ToV2(schema);
  Value paths = Value::object();
  for (const auto& g : registry.Groups()) {
    for (const std::string& v : g.versions) {
      for (const ResourcePtr& r : registry.InGroupVersion(g.group, v)) {
        if (r->custom && r->schema != nullptr) definitions[SchemaName(*r)] = ToV2(PublishedSchema(*r));
        std::string base = "/" + GvPath(g.group, v);
        std::string path = r->namespaced ? absl::StrCat(base, "/namespaces/{namespace}/", r->plural, "/{name}")
                                         : absl::StrCat(base, "/", r->plural, "/{name}");
        Value params = Value::array();
        for (const char* name : {"dryRun", "fieldManager", "fieldValidation", "force"}) {
          params.push_back({{"name", name}, {"in", "query"}, {"type", "string"}, {"uniqueItems", true}});
        }
        params.push_back({{"name", "body"}, {"in", "body"}, {"required", true}, {"schema", {{"type", "object"}}}});
        paths[path] = {{"patch",
                        {{"operationId", absl::StrCat("patch", r->kind)},
                         {"x-kubernetes-action", "patch"},
                         {"x-kubernetes-group-version-kind", {{"group", g.group}, {"version", v}, {"kind", r->kind}}},
                         {"consumes", Value::array({"application/json-patch+json", "application/merge-patch+json",
                                                    "application/apply-patch+yaml"})},
                         {"produces", Value::array({"application/json"})},
                         {"parameters", params},
                         {"responses", {{"200", {{"description", "OK"}}}}}}}};
      }
    }
  }
  return {{"swagger", "2.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
          {"paths", paths},
          {"definitions", definitions}};
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
