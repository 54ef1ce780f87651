#include "libs/http/failure.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace fluxcpp::http {
namespace {

constexpr char kPayloadUrl[] = "fluxcpp.dev/http-failure";

}  // namespace

absl::Status MakeFailure(Failure kind, std::string_view message) {
  absl::StatusCode code = absl::StatusCode::kUnavailable;
  if (kind == Failure::kConnectTimeout || kind == Failure::kTimeout) code = absl::StatusCode::kDeadlineExceeded;
  if (kind == Failure::kCancelled) code = absl::StatusCode::kCancelled;
  absl::Status status(code, std::string(message));
  status.SetPayload(kPayloadUrl, absl::Cord(std::to_string(static_cast<int>(kind))));
  return status;
}

Failure FailureOf(const absl::Status& status) {
  if (status.ok()) return Failure::kNone;
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload.has_value()) return Failure::kNone;
  int value = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &value) || value < 0 || value > static_cast<int>(Failure::kProtocol)) return Failure::kNone;
  return static_cast<Failure>(value);
}

std::string_view FailureName(Failure kind) {
  switch (kind) {
    case Failure::kNone: return "none";
    case Failure::kConnectFailed: return "connection failed";
    case Failure::kConnectTimeout: return "connection timed out";
    case Failure::kTlsHandshake: return "TLS handshake failed";
    case Failure::kTlsVerify: return "TLS: server certificate verification failed";
    case Failure::kWriteFailed: return "connection broken while sending the request";
    case Failure::kClosedBeforeHead: return "connection closed before the response";
    case Failure::kReadFailed: return "connection broken while reading the response";
    case Failure::kTimeout: return "timed out";
    case Failure::kCancelled: return "cancelled";
    case Failure::kProtocol: return "protocol error";
  }
  return "unknown";
}

}  // namespace fluxcpp::http
