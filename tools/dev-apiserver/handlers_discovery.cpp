// Discovery, version, health and OpenAPI endpoints of ApiServer.

#include <httplib.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/api_server.h"
#include "tools/dev-apiserver/discovery.h"
#include "tools/dev-apiserver/http_util.h"
#include "tools/dev-apiserver/openapi.h"

namespace fluxcpp::devapiserver {

bool ApiServer::ServeDiscovery(const httplib::Request& req, httplib::Response& res) {
  std::string path = req.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path == "/healthz" || path == "/readyz" || path == "/livez" || absl::StartsWith(path, "/healthz/") ||
      absl::StartsWith(path, "/readyz/") || absl::StartsWith(path, "/livez/")) {
    res.status = 200;
    res.set_content("ok", "text/plain");
    return true;
  }
  if (path == "/version") {
    WriteValue(res, 200, VersionInfo());
    return true;
  }
  if (path == "/openapi/v3") {
    WriteValue(res, 200, OpenApiV3Index(service_.registry()));
    return true;
  }
  if (absl::StartsWith(path, "/openapi/v3/")) {
    std::vector<std::string> gv = absl::StrSplit(path.substr(strlen("/openapi/v3/")), '/', absl::SkipEmpty());
    object::Value doc;
    if (gv.size() == 2 && gv[0] == "api") doc = OpenApiV3GroupVersion(service_.registry(), "", gv[1]);
    if (gv.size() == 3 && gv[0] == "apis") doc = OpenApiV3GroupVersion(service_.registry(), gv[1], gv[2]);
    if (doc.is_null()) {
      WriteError(res, PathNotFoundError());
    } else {
      WriteValue(res, 200, doc);
    }
    return true;
  }
  if (path == "/openapi/v2") {
    // JSON only (see openapi.h): a client accepting only protobuf gets 406.
    std::string accept = req.get_header_value("Accept");
    if (!accept.empty() && accept.find("json") == std::string::npos && accept.find("*/*") == std::string::npos) {
      WriteError(res, ApiError(406, "NotAcceptable",
                               "only the following media types are accepted: application/json"));
      return true;
    }
    WriteValue(res, 200, OpenApiV2(service_.registry()));
    return true;
  }
  if (absl::StartsWith(path, "/openapi/")) {
    WriteError(res, PathNotFoundError());
    return true;
  }
  if (req.method != "GET") {
    if (path == "/api" || path == "/apis" || path == "/" || path == "/version") {
      WriteError(res, MethodNotAllowedError());
      return true;
    }
  }
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  if (parts.empty()) {
    WriteValue(res, 200, {{"paths", object::Value::array({"/api", "/api/v1", "/apis", "/healthz", "/version"})}});
    return true;
  }
  if (parts[0] == "api") {
    if (parts.size() == 1) {
      WriteValue(res, 200, ApiVersions(absl::StrCat(options_.host, ":", options_.port)));
      return true;
    }
    if (parts.size() == 2) {
      object::Value list = ApiResourceList(service_.registry(), "", parts[1]);
      if (list.is_null()) {
        WriteError(res, PathNotFoundError());
      } else {
        WriteValue(res, 200, list);
      }
      return true;
    }
    return false;
  }
  if (parts[0] == "apis") {
    if (parts.size() == 1) {
      WriteValue(res, 200, ApiGroupList(service_.registry()));
      return true;
    }
    if (parts.size() == 2) {
      object::Value group = ApiGroup(service_.registry(), parts[1]);
      if (group.is_null()) {
        WriteError(res, PathNotFoundError());
      } else {
        WriteValue(res, 200, group);
      }
      return true;
    }
    if (parts.size() == 3) {
      object::Value list = ApiResourceList(service_.registry(), parts[1], parts[2]);
      if (list.is_null()) {
        WriteError(res, PathNotFoundError());
      } else {
        WriteValue(res, 200, list);
      }
      return true;
    }
    return false;
  }
  return false;
}

}  // namespace fluxcpp::devapiserver
