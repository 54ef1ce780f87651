#pragma once
// Kubernetes API errors carried in absl::Status.
//
// An API error is an absl::Status whose payload (type URL kStatusPayloadUrl)
// holds the metav1.Status JSON the server sends, so the HTTP code, reason,
// details and causes survive any number of StatusOr hops. Plain absl
// statuses without a payload are mapped by their code (see ToStatusObject).
// Messages follow kube-apiserver's wording, because kubectl shows them.

#include "absl/strings/string_view.h"
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_info.h"

namespace fluxcpp::devapiserver {

inline constexpr absl::string_view kStatusPayloadUrl = "k8s.io/meta/v1/Status";

// A field-level cause for Invalid errors.
struct Cause {
  std::string type;  // FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueForbidden, ...
  std::string message;
  std::string field;
};

// Builds an API error; `details` may be null.
absl::Status ApiError(int http_code, absl::string_view reason, absl::string_view message,
                      const object::Value& details = nullptr);

// `<resource>[.<group>] "<name>" not found`.
absl::Status NotFoundError(const ResourceInfo& r, absl::string_view name);
absl::Status NotFoundError(absl::string_view group, absl::string_view resource, absl::string_view name);
// `<resource>[.<group>] "<name>" already exists`.
absl::Status AlreadyExistsError(const ResourceInfo& r, absl::string_view name);
// `Operation cannot be fulfilled on <resource> "<name>": <why>`.
absl::Status ConflictError(const ResourceInfo& r, absl::string_view name, absl::string_view why);
// `<Kind>[.<group>] "<name>" is invalid: <field>: <msg>, ...` (422).
absl::Status InvalidError(const ResourceInfo& r, absl::string_view name, const std::vector<Cause>& causes);
absl::Status BadRequestError(absl::string_view message);
absl::Status MethodNotAllowedError();
// `<resource> "<name>" is forbidden: <why>`.
absl::Status ForbiddenError(const ResourceInfo& r, absl::string_view name, absl::string_view why);
absl::Status GoneError(absl::string_view message);
absl::Status UnsupportedMediaTypeError(absl::string_view message);
absl::Status NotAcceptableError(absl::string_view message);
absl::Status InternalServerError(absl::string_view message);
// The generic "the server could not find the requested resource" (404).
absl::Status PathNotFoundError();

// The metav1.Status object for `status` (which must not be OK).
object::Value ToStatusObject(const absl::Status& status);
// The HTTP status code for `status`.
int HttpCodeOf(const absl::Status& status);
// The Kubernetes reason of an API error ("" when none).
std::string ReasonOf(const absl::Status& status);

// Invalid-value cause text: `Invalid value: "x": why`.
Cause InvalidValue(std::string field, absl::string_view value, absl::string_view why);
Cause RequiredValue(std::string field, absl::string_view why = "");

}  // namespace fluxcpp::devapiserver
