#pragma once
// Parses a Kubernetes API request path into its parts, like
// k8s.io/apiserver's RequestInfoFactory:
//   /api/v1/namespaces/ns/configmaps/name
//   /apis/apps/v1/namespaces/ns/deployments/name/status
//   /apis/g/v/clusterthings/name
//   /api/v1/namespaces/name[/status|/finalize]   (the Namespace itself)
//   /api/v1/watch/namespaces/ns/pods             (legacy watch prefix)
// Pure; thread-safe.

#include "absl/strings/string_view.h"
#include <optional>
#include <string>
#include <string_view>

namespace fluxcpp::devapiserver {

struct RequestInfo {
  std::string group;  // "" for /api
  std::string version;
  std::string ns;
  std::string resource;  // plural
  std::string name;
  std::string subresource;
  bool legacy_watch = false;  // path had a /watch/ segment
};

// nullopt when `path` is not a resource path (discovery paths included).
std::optional<RequestInfo> ParseResourcePath(absl::string_view path);

}  // namespace fluxcpp::devapiserver
