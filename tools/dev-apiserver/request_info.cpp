#include "tools/dev-apiserver/request_info.h"

#include <vector>

#include "absl/strings/str_split.h"

namespace fluxcpp::devapiserver {

std::optional<RequestInfo> ParseResourcePath(absl::string_view path) {
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  RequestInfo info;
  size_t i = 0;
  if (parts.size() >= 3 && parts[0] == "api") {
    info.version = parts[1];
    i = 2;
  } else if (parts.size() >= 4 && parts[0] == "apis") {
    info.group = parts[1];
    info.version = parts[2];
    i = 3;
  } else {
    return std::nullopt;
  }
  std::vector<std::string> rest(parts.begin() + i, parts.end());
  if (!rest.empty() && rest[0] == "watch") {
    info.legacy_watch = true;
    rest.erase(rest.begin());
  }
  if (rest.empty()) return std::nullopt;
  if (rest[0] == "namespaces") {
    if (rest.size() == 1) {
      info.resource = "namespaces";
      return info;
    }
    if (rest.size() == 2 || (rest.size() == 3 && (rest[2] == "status" || rest[2] == "finalize"))) {
      info.resource = "namespaces";
      info.name = rest[1];
      if (rest.size() == 3) info.subresource = rest[2];
      return info;
    }
    info.ns = rest[1];
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) return std::nullopt;
  info.resource = rest[0];
  if (rest.size() >= 2) info.name = rest[1];
  if (rest.size() == 3) info.subresource = rest[2];
  return info;
}

}  // namespace fluxcpp::devapiserver
