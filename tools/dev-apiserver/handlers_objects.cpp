// Resource endpoints of ApiServer: get, list, create, update, patch, delete,
// deletecollection, and the status subresource. Watches are handed to
// ServeWatch (handlers_watch.cpp).

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/object/yaml.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/api_server.h"
#include "tools/dev-apiserver/http_util.h"
#include "tools/dev-apiserver/managed_fields.h"
#include "tools/dev-apiserver/protobuf_decoder.h"
#include "tools/dev-apiserver/table.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

// Go's strconv.ParseBool truths (python clients send "True").
bool IsTrue(const std::string& v) {
  return v == "true" || v == "1" || v == "True" || v == "TRUE" || v == "t" || v == "T";
}

absl::StatusOr<ListOptions> ParseListOptions(const httplib::Request& req) {
  ListOptions options;
  auto labels = apimachinery::LabelSelector::Parse(Param(req, "labelSelector"));
  if (!labels.ok()) return BadRequestError(labels.status().message());
  options.labels = std::move(*labels);
  auto fields = apimachinery::FieldSelector::Parse(Param(req, "fieldSelector"));
  if (!fields.ok()) return BadRequestError(fields.status().message());
  options.fields = std::move(*fields);
  std::string limit = Param(req, "limit");
  if (!limit.empty()) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(limit, &n) || n < 0) return BadRequestError(absl::StrCat("invalid limit: ", limit));
    options.limit = static_cast<size_t>(n);
  }
  options.continue_token = Param(req, "continue");
  return options;
}

Value PartialMetadata(const Value& obj) {
  return {{"kind", "PartialObjectMetadata"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", obj.contains("metadata") ? obj["metadata"] : Value::object()}};
}

// Renders a single object in the requested form.
std::string RenderObject(const ResourceInfo& r, const std::shared_ptr<const std::string>& json, ResponseForm form,
                         const httplib::Request& req) {
  if (form == ResponseForm::kObject) return *json;
  auto parsed = object::ParseJson(*json);
  if (!parsed.ok()) return *json;
  if (form == ResponseForm::kPartialMetadata) return object::ToJson(PartialMetadata(*parsed));
  Value meta = {{"resourceVersion", object::GetString(*parsed, {"metadata", "resourceVersion"})}};
  return object::ToJson(ToTable(r, {*parsed}, ParseIncludeObject(Param(req, "includeObject")), meta));
}

std::string RenderList(const ResourceInfo& r, const ObjectService::ListResult& list, ResponseForm form,
                       const httplib::Request& req) {
  Value meta = {{"resourceVersion", std::to_string(list.rv)}};
  if (!list.continue_token.empty()) meta["continue"] = list.continue_token;
  if (form == ResponseForm::kTable) {
    std::vector<Value> objects;
    objects.reserve(list.items.size());
    for (const auto& json : list.items) {
      auto parsed = object::ParseJson(*json);
      if (parsed.ok()) objects.push_back(std::move(*parsed));
    }
    return object::ToJson(ToTable(r, objects, ParseIncludeObject(Param(req, "includeObject")), meta));
  }
  std::string out;
  size_t total = 0;
  for (const auto& json : list.items) total += json->size() + 1;
  out.reserve(total + 256);
  if (form == ResponseForm::kPartialMetadata) {
    out = "{\"apiVersion\":\"meta.k8s.io/v1\",\"items\":[";
  } else {
    out = absl::StrCat("{\"apiVersion\":\"", r.ApiVersion(), "\",\"items\":[");
  }
  bool first = true;
  for (const auto& json : list.items) {
    if (!first) out.push_back(',');
    first = false;
    if (form == ResponseForm::kPartialMetadata) {
      auto parsed = object::ParseJson(*json);
      out += parsed.ok() ? object::ToJson(PartialMetadata(*parsed)) : *json;
    } else {
      out += *json;
    }
  }
  absl::StrAppend(&out, "],\"kind\":\"",
                  form == ResponseForm::kPartialMetadata ? std::string("PartialObjectMetadataList") : r.list_kind,
                  "\",\"metadata\":", object::ToJson(meta), "}");
  return out;
}

absl::StatusOr<Value> ParseBody(const httplib::Request& req) {
  if (req.body.empty()) return BadRequestError("the body of the request is empty");
  std::string type = MediaType(req.get_header_value("Content-Type"));
  if (type == "application/yaml") {
    auto parsed = object::ParseYaml(req.body);
    if (!parsed.ok()) return BadRequestError(parsed.status().message());
    return parsed;
  }
  if (type == kProtobufMediaType) {
    auto decoded = DecodeKubernetesProtobuf(req.body);
    if (decoded.ok()) return decoded;
    if (decoded.status().code() == absl::StatusCode::kUnimplemented) {
      return UnsupportedMediaTypeError(absl::StrCat(
          "the body of the request was in an unknown format - accepted media types include: application/json, "
          "application/yaml (",
          decoded.status().message(), ")"));
    }
    return BadRequestError(absl::StrCat("error decoding protobuf body: ", decoded.status().message()));
  }
  auto parsed = object::ParseJson(req.body);
  if (!parsed.ok()) {
    return BadRequestError(absl::StrCat("error decoding request body: ", parsed.status().message()));
  }
  return parsed;
}

absl::StatusOr<DeleteOptions> ParseDeleteOptions(const httplib::Request& req, bool* dry_run) {
  DeleteOptions options;
  options.propagation_policy = Param(req, "propagationPolicy");
  if (Param(req, "orphanDependents") == "true") options.propagation_policy = "Orphan";
  if (!req.body.empty()) {
    auto parsed = object::ParseJson(req.body);
    if (!parsed.ok()) return BadRequestError(absl::StrCat("error decoding DeleteOptions: ", parsed.status().message()));
    const Value& body = *parsed;
    if (body.is_object()) {
      if (auto it = body.find("propagationPolicy"); it != body.end() && it->is_string()) {
        options.propagation_policy = it->get<std::string>();
      }
      if (auto it = body.find("orphanDependents"); it != body.end() && it->is_boolean() && it->get<bool>()) {
        options.propagation_policy = "Orphan";
      }
      options.precondition_uid = object::GetString(body, {"preconditions", "uid"});
      options.precondition_rv = object::GetString(body, {"preconditions", "resourceVersion"});
      if (const Value* dr = object::Find(body, {"dryRun"}); dr != nullptr && dr->is_array()) {
        for (const Value& v : *dr) {
          if (v == "All") *dry_run = true;
        }
      }
    }
  }
  return options;
}

}  // namespace

void ApiServer::ServeScale(const httplib::Request& req, httplib::Response& res, const RequestScope& scope) {
  if (req.method == "GET") {
    auto scale = service_.GetScale(scope);
    if (!scale.ok()) return WriteError(res, scale.status());
    return WriteJson(res, 200, **scale);
  }
  absl::StatusOr<WriteResult> result;
  if (req.method == "PUT") {
    auto body = ParseBody(req);
    if (!body.ok()) return WriteError(res, body.status());
    result = service_.UpdateScale(scope, std::move(*body));
  } else if (req.method == "PATCH") {
    std::string type = MediaType(req.get_header_value("Content-Type"));
    PatchType patch_type = type == "application/json-patch+json"             ? PatchType::kJson
                           : type == "application/strategic-merge-patch+json" ? PatchType::kStrategic
                           : type == "application/merge-patch+json"          ? PatchType::kMerge
                                                                              : PatchType::kApply;
    result = service_.PatchScale(scope, patch_type, req.body);
  } else {
    return WriteError(res, MethodNotAllowedError());
  }
  if (!result.ok()) return WriteError(res, result.status());
  WriteJson(res, result->http_code, *result->json);
}

void ApiServer::ServeResource(const httplib::Request& req, httplib::Response& res, const RequestInfo& info) {
  ResourcePtr r = service_.registry().Find(info.group, info.version, info.resource);
  if (r == nullptr || (!info.ns.empty() && !r->namespaced)) {
    WriteError(res, PathNotFoundError());
    return;
  }
  // A namespaced resource without a namespace only supports cross-namespace
  // list and watch.
  if (r->namespaced && info.ns.empty() && !(req.method == "GET" && info.name.empty())) {
    WriteError(res, PathNotFoundError());
    return;
  }
  if (info.subresource == "token" && r->group.empty() && r->plural == "serviceaccounts" && !info.name.empty()) {
    return ServeTokenRequest(options_.service_account_tokens, service_, req, res, info.ns, info.name);
  }
  if (!info.subresource.empty() && !(info.subresource == "status" && r->has_status) &&
      !(info.subresource == "scale" && r->HasScale())) {
    WriteError(res, PathNotFoundError());
    return;
  }
  RequestScope scope;
  scope.resource = r;
  scope.ns = r->namespaced ? info.ns : "";
  scope.name = info.name;
  scope.subresource = info.subresource;
  scope.field_manager = Param(req, "fieldManager");
  scope.field_validation = Param(req, "fieldValidation");
  if (scope.field_manager.empty() && req.method != "PATCH") {
    scope.field_manager = ManagerFromUserAgent(req.get_header_value("User-Agent"));
  }
  if (req.has_param("dryRun")) {
    std::string dry = Param(req, "dryRun");
    if (dry != "All") {
      WriteError(res, BadRequestError(absl::StrCat("Invalid dry run value: ", dry)));
      return;
    }
    scope.dry_run = true;
  }
  ResponseForm form = FormFromAccept(req.get_header_value("Accept"));
  const std::string& method = req.method;
  if (scope.subresource == "scale") return ServeScale(req, res, scope);

  if (method == "GET") {
    bool watch = info.legacy_watch || IsTrue(Param(req, "watch"));
    if (watch) {
      ServeWatch(req, res, scope, info);
      return;
    }
    if (!scope.name.empty()) {
      auto obj = service_.Get(scope);
      if (!obj.ok()) return WriteError(res, obj.status());
      WriteJson(res, 200, RenderObject(*r, *obj, form, req));
      return;
    }
    auto options = ParseListOptions(req);
    if (!options.ok()) return WriteError(res, options.status());
    auto list = service_.List(scope, *options);
    if (!list.ok()) return WriteError(res, list.status());
    WriteJson(res, 200, RenderList(*r, *list, form, req));
    return;
  }
  if (method == "POST") {
    if (!scope.name.empty()) return WriteError(res, MethodNotAllowedError());
    auto body = ParseBody(req);
    if (!body.ok()) return WriteError(res, body.status());
    auto result = service_.Create(scope, std::move(*body));
    if (!result.ok()) return WriteError(res, result.status());
    WriteJson(res, result->http_code, RenderObject(*r, result->json, form, req));
    return;
  }
  if (method == "PUT") {
    if (scope.name.empty()) return WriteError(res, MethodNotAllowedError());
    auto body = ParseBody(req);
    if (!body.ok()) return WriteError(res, body.status());
    auto result = service_.Update(scope, std::move(*body));
    if (!result.ok()) return WriteError(res, result.status());
    WriteJson(res, result->http_code, RenderObject(*r, result->json, form, req));
    return;
  }
  if (method == "PATCH") {
    if (scope.name.empty()) return WriteError(res, MethodNotAllowedError());
    std::string type = MediaType(req.get_header_value("Content-Type"));
    PatchType patch_type;
    if (type == "application/merge-patch+json") {
      patch_type = PatchType::kMerge;
    } else if (type == "application/json-patch+json") {
      patch_type = PatchType::kJson;
    } else if (type == "application/strategic-merge-patch+json") {
      patch_type = PatchType::kStrategic;
    } else if (type == "application/apply-patch+yaml" || type == "application/apply-patch+json" ||
               type == "application/apply-patch+cbor") {
      patch_type = PatchType::kApply;
    } else {
      return WriteError(res, UnsupportedMediaTypeError(absl::StrCat(
                                 "the body of the request was in an unknown format - accepted media types include: "
                                 "application/json-patch+json, application/merge-patch+json, "
                                 "application/apply-patch+yaml",
                                 r->custom ? "" : ", application/strategic-merge-patch+json")));
    }
    if (scope.field_manager.empty() && patch_type != PatchType::kApply) {
      scope.field_manager = ManagerFromUserAgent(req.get_header_value("User-Agent"));
    }
    bool force = IsTrue(Param(req, "force"));
    auto result = service_.Patch(scope, patch_type, req.body, force);
    if (!result.ok()) return WriteError(res, result.status());
    WriteJson(res, result->http_code, RenderObject(*r, result->json, form, req));
    return;
  }
  if (method == "DELETE") {
    bool dry_run = scope.dry_run;
    auto options = ParseDeleteOptions(req, &dry_run);
    if (!options.ok()) return WriteError(res, options.status());
    scope.dry_run = dry_run;
    if (scope.name.empty()) {
      auto list_options = ParseListOptions(req);
      if (!list_options.ok()) return WriteError(res, list_options.status());
      auto deleted = service_.DeleteCollection(scope, *list_options, *options);
      if (!deleted.ok()) return WriteError(res, deleted.status());
      WriteJson(res, 200, RenderList(*r, *deleted, ResponseForm::kObject, req));
      return;
    }
    auto result = service_.Delete(scope, *options);
    if (!result.ok()) return WriteError(res, result.status());
    WriteJson(res, result->http_code, RenderObject(*r, result->json, form, req));
    return;
  }
  WriteError(res, MethodNotAllowedError());
}

}  // namespace fluxcpp::devapiserver
