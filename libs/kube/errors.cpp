#include "libs/kube/errors.h"

#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/kube/client.h"

namespace fluxcpp::kube {

absl::StatusCode CodeForHttpStatus(int http_code, std::string_view reason) {
  switch (http_code) {
    case 400:
    case 413:
    case 415:
    case 422:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 405:
      return absl::StatusCode::kUnimplemented;
    case 409:
      return reason == "AlreadyExists" ? absl::StatusCode::kAlreadyExists : absl::StatusCode::kAborted;
    case 410:
      return absl::StatusCode::kOutOfRange;
    case 429:
      return absl::StatusCode::kUnavailable;
    default:
      break;
  }
  if (http_code >= 500 && http_code <= 599) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kUnknown;
}

std::string DefaultReasonForHttpStatus(int http_code) {
  switch (http_code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "";
  }
}

namespace {

absl::Status MakeStatus(int http_code, std::string reason, std::string message) {
  if (reason.empty()) reason = DefaultReasonForHttpStatus(http_code);
  absl::Status status(CodeForHttpStatus(http_code, reason), message);
  if (!reason.empty()) status.SetPayload(kReasonPayload, absl::Cord(reason));
  status.SetPayload(kHttpCodePayload, absl::Cord(absl::StrCat(http_code)));
  return status;
}

}  // namespace

absl::Status StatusFromApiStatus(const object::Value& obj, int fallback_code) {
  int code = static_cast<int>(object::GetInt(obj, {"code"}, fallback_code));
  if (code == 0) code = fallback_code;
  std::string reason = object::GetString(obj, {"reason"});
  std::string message = object::GetString(obj, {"message"});
  if (message.empty()) {
    message = absl::StrCat("the server reported ", reason.empty() ? DefaultReasonForHttpStatus(code) : reason,
                           " (HTTP ", code, ")");
  }
  return MakeStatus(code, std::move(reason), std::move(message));
}

absl::Status StatusFromResponse(int http_code, std::string_view body) {
  auto parsed = object::ParseJson(body);
  if (parsed.ok() && parsed->is_object() && object::GetString(*parsed, {"kind"}) == "Status") {
    return StatusFromApiStatus(*parsed, http_code);
  }
  // Not a Status (a proxy's HTML page, plain text, ...): keep a short excerpt.
  std::string excerpt(body.substr(0, 256));
  while (!excerpt.empty() && (excerpt.back() == '\n' || excerpt.back() == '\r' || excerpt.back() == ' ')) {
    excerpt.pop_back();
  }
  std::string message = absl::StrCat("the server responded with HTTP ", http_code);
  if (!excerpt.empty()) absl::StrAppend(&message, ": ", excerpt);
  return MakeStatus(http_code, "", std::move(message));
}

std::string ReasonOf(const absl::Status& status) {
  auto reason = status.GetPayload(kReasonPayload);
  if (!reason.has_value()) return "";
  return std::string(*reason);
}

int HttpCodeOf(const absl::Status& status) {
  auto code = status.GetPayload(kHttpCodePayload);
  int out = 0;
  if (!code.has_value() || !absl::SimpleAtoi(std::string(*code), &out)) return 0;
  return out;
}

}  // namespace fluxcpp::kube
