#include "tools/dev-apiserver/api_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

absl::StatusCode CodeFor(int http) {
  switch (http) {
    case 400: return absl::StatusCode::kInvalidArgument;
    case 401: return absl::StatusCode::kUnauthenticated;
    case 403: return absl::StatusCode::kPermissionDenied;
    case 404: return absl::StatusCode::kNotFound;
    case 405: return absl::StatusCode::kUnimplemented;
    case 406: return absl::StatusCode::kInvalidArgument;
    case 409: return absl::StatusCode::kAborted;
    case 410: return absl::StatusCode::kOutOfRange;
    case 415: return absl::StatusCode::kInvalidArgument;
    case 422: return absl::StatusCode::kInvalidArgument;
    case 429: return absl::StatusCode::kResourceExhausted;
    case 504: return absl::StatusCode::kDeadlineExceeded;
    default: return http >= 500 ? absl::StatusCode::kInternal : absl::StatusCode::kUnknown;
  }
}

std::string QualifiedResource(absl::string_view group, absl::string_view resource) {
  return group.empty() ? std::string(resource) : absl::StrCat(resource, ".", group);
}

Value Details(absl::string_view group, absl::string_view kind, absl::string_view name) {
  Value d = Value::object();
  if (!name.empty()) d["name"] = std::string(name);
  if (!group.empty()) d["group"] = std::string(group);
  if (!kind.empty()) d["kind"] = std::string(kind);
  return d;
}

}  // namespace

absl::Status ApiError(int http_code, absl::string_view reason, absl::string_view message, const Value& details) {
  Value s = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Value::object()}, {"status", "Failure"},
             {"message", std::string(message)}};
  if (!reason.empty()) s["reason"] = std::string(reason);
  if (!details.is_null()) s["details"] = details;
  s["code"] = http_code;
  absl::Status status(CodeFor(http_code), message);
  status.SetPayload(kStatusPayloadUrl, absl::Cord(s.dump()));
  return status;
}

absl::Status NotFoundError(absl::string_view group, absl::string_view resource, absl::string_view name) {
  return ApiError(404, "NotFound", absl::StrCat(QualifiedResource(group, resource), " \"", name, "\" not found"),
                  Details(group, resource, name));
}

absl::Status NotFoundError(const ResourceInfo& r, absl::string_view name) {
  return NotFoundError(r.group, r.plural, name);
}

absl::Status AlreadyExistsError(const ResourceInfo& r, absl::string_view name) {
  return ApiError(409, "AlreadyExists",
                  absl::StrCat(QualifiedResource(r.group, r.plural), " \"", name, "\" already exists"),
                  Details(r.group, r.plural, name));
}

absl::Status ConflictError(const ResourceInfo& r, absl::string_view name, absl::string_view why) {
  return ApiError(409, "Conflict",
                  absl::StrCat("Operation cannot be fulfilled on ", QualifiedResource(r.group, r.plural), " \"", name,
                               "\": ", why),
                  Details(r.group, r.plural, name));
}

absl::Status InvalidError(const ResourceInfo& r, absl::string_view name, const std::vector<Cause>& causes) {
  std::vector<std::string> parts;
  Value causes_json = Value::array();
  for (const Cause& c : causes) {
    parts.push_back(c.field.empty() ? c.message : absl::StrCat(c.field, ": ", c.message));
    causes_json.push_back({{"reason", c.type}, {"message", c.message}, {"field", c.field}});
  }
  std::string joined = parts.size() == 1 ? parts[0] : absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
  Value details = Details(r.group, r.kind, name);
  details["causes"] = causes_json;
  return ApiError(422, "Invalid", absl::StrCat(r.GroupKind(), " \"", name, "\" is invalid: ", joined), details);
}

absl::Status BadRequestError(absl::string_view message) { return ApiError(400, "BadRequest", message); }

absl::Status MethodNotAllowedError() {
  return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                  Value::object());
}

absl::Status ForbiddenError(const ResourceInfo& r, absl::string_view name, absl::string_view why) {
  return ApiError(403, "Forbidden",
                  absl::StrCat(QualifiedResource(r.group, r.plural), " \"", name, "\" is forbidden: ", why),
                  Details(r.group, r.plural, name));
}

absl::Status GoneError(absl::string_view message) { return ApiError(410, "Expired", message); }

absl::Status UnsupportedMediaTypeError(absl::string_view message) {
  return ApiError(415, "UnsupportedMediaType", message);
}

absl::Status NotAcceptableError(absl::string_view message) { return ApiError(406, "NotAcceptable", message); }

absl::Status InternalServerError(absl::string_view message) {
  return ApiError(500, "InternalError", absl::StrCat("Internal error occurred: ", message),
                  Value{{"causes", Value::array({{{"message", std::string(message)}}})}});
}

absl::Status PathNotFoundError() {
  return ApiError(404, "NotFound", "the server could not find the requested resource", Value::object());
}

Value ToStatusObject(const absl::Status& status) {
  if (auto payload = status.GetPayload(kStatusPayloadUrl); payload.has_value()) {
    Value v = Value::parse(std::string(*payload), nullptr, false);
    if (!v.is_discarded()) return v;
  }
  int code = HttpCodeOf(status);
  std::string reason = code == 404 ? "NotFound" : code == 400 ? "BadRequest" : code == 409 ? "Conflict" : "InternalError";
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Value::object()}, {"status", "Failure"},
          {"message", std::string(status.message())}, {"reason", reason}, {"code", code}};
}

int HttpCodeOf(const absl::Status& status) {
  if (auto payload = status.GetPayload(kStatusPayloadUrl); payload.has_value()) {
    Value v = Value::parse(std::string(*payload), nullptr, false);
    if (v.is_object() && v.contains("code") && v["code"].is_number_integer()) return v["code"].get<int>();
  }
  switch (status.code()) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kOutOfRange: return 410;
    case absl::StatusCode::kUnimplemented: return 405;
    case absl::StatusCode::kFailedPrecondition: return 422;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

std::string ReasonOf(const absl::Status& status) {
  if (status.ok()) return "";
  Value v = ToStatusObject(status);
  return v.value("reason", "");
}

Cause InvalidValue(std::string field, absl::string_view value, absl::string_view why) {
  return {"FieldValueInvalid", absl::StrCat("Invalid value: \"", value, "\": ", why), std::move(field)};
}

Cause RequiredValue(std::string field, absl::string_view why) {
  return {"FieldValueRequired", why.empty() ? "Required value" : absl::StrCat("Required value: ", why),
          std::move(field)};
}

}  // namespace fluxcpp::devapiserver
