#pragma once
// Why an HTTP exchange failed, carried on the absl::Status every layer of the
// client returns (socket, TLS, connection), so that a caller can choose
// whether to retry without parsing messages:
//   FailureOf(status) == Failure::kConnectFailed  -> the server never saw it.

#include <string_view>

#include "absl/status/status.h"

namespace fluxcpp::http {

enum class Failure {
  kNone,             // ok, or a status that did not come from this library
  kConnectFailed,    // name resolution failed, refused, unreachable
  kConnectTimeout,   // no connection before the deadline
  kTlsHandshake,     // the TLS handshake failed for another reason than trust
  kTlsVerify,        // the server certificate was not trusted (reason in message)
  kWriteFailed,      // the request was not sent in full
  kClosedBeforeHead, // the connection ended before any response byte: maybe acted on
  kReadFailed,       // the connection broke after the response started
  kTimeout,          // a read or write deadline passed
  kCancelled,        // the caller's cancel check returned true
  kProtocol,         // the peer broke HTTP/1.1 framing, or a limit was exceeded
};

// A status of the code matching `kind` (DeadlineExceeded for timeouts,
// Cancelled, Unavailable otherwise) that remembers `kind`.
absl::Status MakeFailure(Failure kind, std::string_view message);
Failure FailureOf(const absl::Status& status);
// A short English name, e.g. "connect timeout".
std::string_view FailureName(Failure kind);

}  // namespace fluxcpp::http
