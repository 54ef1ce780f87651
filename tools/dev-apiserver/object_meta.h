#pragma once
// ObjectMeta helpers shared by the write paths: UIDs, timestamps,
// generateName, and Kubernetes name validation with kube's messages.
// Thread-safe (stateless except for the OS random source).

#include "absl/strings/string_view.h"
#include <optional>
#include <string>
#include <string_view>

namespace fluxcpp::devapiserver {

// A random (version 4) UUID, lower-case, e.g. "3f1c…-…".
std::string NewUid();
// `prefix` + 5 random characters from Kubernetes' generateName alphabet.
std::string GenerateName(absl::string_view prefix);

// nullopt when `name` is a valid lower-case RFC 1123 subdomain, else kube's
// message ("a lowercase RFC 1123 subdomain must consist of ...").
std::optional<std::string> ValidateDnsSubdomain(absl::string_view name);
// Same for RFC 1123 labels (namespace names).
std::optional<std::string> ValidateDnsLabel(absl::string_view name);
// Same for path-segment names (RBAC objects): no "/", no "%", not "." or "..".
std::optional<std::string> ValidatePathSegmentName(absl::string_view name);

}  // namespace fluxcpp::devapiserver
