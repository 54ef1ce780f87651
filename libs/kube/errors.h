#pragma once
// Mapping of Kubernetes API errors (HTTP code + metav1.Status body) to
// absl::Status, as documented in client.h. The Kubernetes reason travels as a
// payload so that ReasonOf() can recover it.

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/object/value.h"

namespace fluxcpp::kube {

// Payload type URL under which the Kubernetes Status reason is stored.
inline constexpr char kReasonPayload[] = "k8s.io/reason";
// Payload type URL under which the HTTP status code is stored (decimal text).
inline constexpr char kHttpCodePayload[] = "k8s.io/code";

// The absl code for an HTTP status and Kubernetes reason.
absl::StatusCode CodeForHttpStatus(int http_code, std::string_view reason);

// The reason the API server uses for `http_code` when a body carries none.
std::string DefaultReasonForHttpStatus(int http_code);

// An error from a non-2xx response; `body` is usually a metav1.Status.
absl::Status StatusFromResponse(int http_code, std::string_view body);

// An error from a metav1.Status object (e.g. a watch ERROR event).
// `fallback_code` is used when the object has no `code`.
absl::Status StatusFromApiStatus(const object::Value& status, int fallback_code = 500);

// The HTTP code carried by an error from Client, or 0.
int HttpCodeOf(const absl::Status& status);

}  // namespace fluxcpp::kube
