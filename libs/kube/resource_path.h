#pragma once
// URL building for the Kubernetes REST API:
//   /api/v1[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]
//   /apis/<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]
// plus query strings encoded as Go's url.Values.Encode does (keys sorted).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libs/kube/client.h"

namespace fluxcpp::kube {

// Percent-encodes everything but RFC 3986 unreserved characters
// (A-Z a-z 0-9 - _ . ~); space becomes "%20". For one path segment.
std::string PathEscape(std::string_view segment);
// Query component encoding (Go's url.QueryEscape): space becomes "+".
std::string QueryEscape(std::string_view value);

// "/api/v1" or "/apis/<group>/<version>".
std::string GroupVersionPath(std::string_view group, std::string_view version);

// The path of a collection (`name` empty) or of one object, optionally a
// subresource of it. `ns` is dropped for cluster-scoped resources and, for
// namespaced ones, empty means "all namespaces" (collections only).
std::string ResourcePath(const ResourceMapping& mapping, std::string_view ns, std::string_view name = "",
                         std::string_view subresource = "");

// An ordered set of query parameters.
class Query {
 public:
  // Adds `key=value`; empty values are skipped unless `keep_empty`.
  Query& Add(std::string_view key, std::string_view value, bool keep_empty = false);
  Query& AddInt(std::string_view key, int64_t value);  // skipped when 0
  Query& AddBool(std::string_view key, bool value);    // "true" when set, skipped otherwise
  bool empty() const { return params_.empty(); }
  // "" or "?k=v&k2=v2" with keys sorted (stable for repeated keys).
  std::string Encode() const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace fluxcpp::kube
