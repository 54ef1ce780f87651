// Authentication, impersonation and authorization of every request
// (ApiServer::Authorize), and the review resources that answer "who am I /
// may I": SelfSubjectAccessReview, SubjectAccessReview,
// LocalSubjectAccessReview (authorization.k8s.io/v1) and SelfSubjectReview
// (authentication.k8s.io/v1). Reviews are computed, never stored.

#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/api_server.h"
#include "tools/dev-apiserver/http_util.h"
#include "tools/dev-apiserver/protobuf_decoder.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

std::string VerbOf(const httplib::Request& req, const RequestInfo& info) {
  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD") {
    std::string watch = req.has_param("watch") ? req.get_param_value("watch") : "";
    if (info.legacy_watch || watch == "true" || watch == "1" || watch == "True" || watch == "TRUE" || watch == "t" ||
        watch == "T") {
      return "watch";
    }
    return info.name.empty() ? "list" : "get";
  }
  if (m == "POST") return "create";
  if (m == "PUT") return "update";
  if (m == "PATCH") return "patch";
  if (m == "DELETE") return info.name.empty() ? "deletecollection" : "delete";
  return absl::AsciiStrToLower(m);
}

Value UserInfoValue(const UserInfo& user) {
  Value groups = Value::array();
  for (const auto& g : user.groups) groups.push_back(g);
  Value out = {{"username", user.name}, {"groups", groups}};
  if (!user.uid.empty()) out["uid"] = user.uid;
  return out;
}

}  // namespace

absl::StatusOr<UserInfo> ApiServer::Authenticate(const httplib::Request& req) const {
  UserInfo user = AnonymousUser();
  if (options_.authenticator != nullptr) {
    auto authenticated = options_.authenticator->Authenticate(req.get_header_value("Authorization"), req.ssl);
    if (!authenticated.ok()) return authenticated.status();
    user = std::move(*authenticated);
  } else {
    // No authenticator configured (in-process tests): act as an administrator.
    user = UserInfo{"admin", "", {kSystemMasters, kSystemAuthenticated}};
  }
  std::string as_user = req.get_header_value("Impersonate-User");
  std::vector<std::string> as_groups;
  for (size_t i = 0, n = req.get_header_value_count("Impersonate-Group"); i < n; ++i) {
    as_groups.push_back(req.get_header_value("Impersonate-Group", i));
  }
  std::string as_uid = req.get_header_value("Impersonate-Uid");
  if (as_user.empty()) {
    if (!as_groups.empty() || !as_uid.empty()) {
      return ApiError(500, "InternalError",
                      "Internal error occurred: requested [{Group}] without impersonating a user");
    }
    return user;
  }
  // Each impersonated attribute needs the `impersonate` verb on it.
  std::vector<Attributes> checks;
  UserInfo target{as_user, as_uid, {}};
  std::vector<std::string> sa = absl::StrSplit(as_user, ':');
  if (sa.size() == 4 && sa[0] == "system" && sa[1] == "serviceaccount") {
    checks.push_back({user, "impersonate", true, "", "serviceaccounts", "", sa[2], sa[3], ""});
    target.groups.push_back("system:serviceaccounts");
    target.groups.push_back(absl::StrCat("system:serviceaccounts:", sa[2]));
  } else {
    checks.push_back({user, "impersonate", true, "", "users", "", "", as_user, ""});
  }
  for (const auto& g : as_groups) {
    checks.push_back({user, "impersonate", true, "", "groups", "", "", g, ""});
    target.groups.push_back(g);
  }
  if (!as_uid.empty()) checks.push_back({user, "impersonate", true, "authentication.k8s.io", "uids", "", "", as_uid, ""});
  for (const Attributes& check : checks) {
    if (options_.authorizer != nullptr && !options_.authorizer->Authorize(check)) return ForbiddenFor(check);
  }
  if (as_user != kAnonymousUser && !target.InGroup(kSystemAuthenticated)) {
    target.groups.push_back(kSystemAuthenticated);
  }
  return target;
}

absl::Status ApiServer::Authorize(const httplib::Request& req, const UserInfo& user) const {
  if (options_.authorizer == nullptr) return absl::OkStatus();
  Attributes a;
  a.user = user;
  auto info = ParseResourcePath(req.path);
  if (!info.has_value()) {
    a.resource_request = false;
    a.path = req.path;
    a.verb = absl::AsciiStrToLower(req.method);
    if (a.verb == "head") a.verb = "get";
  } else {
    a.verb = VerbOf(req, *info);
    a.api_group = info->group;
    a.resource = info->resource;
    a.subresource = info->subresource;
    a.ns = info->ns;
    a.name = info->name;
    // kube: a namespace is "in" itself for authorization.
    if (info->group.empty() && info->resource == "namespaces" && !info->name.empty()) a.ns = info->name;
  }
  if (options_.authorizer->Authorize(a)) return absl::OkStatus();
  return ForbiddenFor(a);
}

bool ApiServer::ServeReview(const httplib::Request& req, httplib::Response& res, const RequestInfo& info,
                            const UserInfo& user) {
  bool authz = info.group == "authorization.k8s.io";
  bool authn = info.group == "authentication.k8s.io";
  if (!authz && !authn) return false;
  if (info.version != "v1") return false;
  const std::string& resource = info.resource;
  if (!(resource == "selfsubjectaccessreviews" || resource == "subjectaccessreviews" ||
        resource == "localsubjectaccessreviews" || resource == "selfsubjectreviews")) {
    return false;
  }
  if (req.method != "POST" || !info.name.empty()) {
    WriteError(res, MethodNotAllowedError());
    return true;
  }
  absl::StatusOr<Value> parsed = MediaType(req.get_header_value("Content-Type")) == kProtobufMediaType
                                     ? DecodeKubernetesProtobuf(req.body)
                                     : object::ParseJson(req.body);
  if (!parsed.ok() || !parsed->is_object()) {
    WriteError(res, BadRequestError("error decoding request body"));
    return true;
  }
  Value body = std::move(*parsed);
  if (resource == "selfsubjectreviews") {
    body["status"] = {{"userInfo", UserInfoValue(user)}};
    WriteValue(res, 201, body);
    return true;
  }
  const Value spec = body.value("spec", Value::object());
  Attributes a;
  if (resource == "selfsubjectaccessreviews") {
    a.user = user;
  } else {
    a.user.name = spec.value("user", "");
    a.user.uid = spec.value("uid", "");
    if (const Value* g = object::Find(spec, {"groups"}); g != nullptr && g->is_array()) {
      for (const Value& group : *g) {
        if (group.is_string()) a.user.groups.push_back(group.get<std::string>());
      }
    }
  }
  if (const Value* ra = object::Find(spec, {"resourceAttributes"}); ra != nullptr && ra->is_object()) {
    a.resource_request = true;
    a.verb = ra->value("verb", "");
    a.api_group = ra->value("group", "");
    a.resource = ra->value("resource", "");
    a.subresource = ra->value("subresource", "");
    a.ns = ra->value("namespace", "");
    a.name = ra->value("name", "");
    if (resource == "localsubjectaccessreviews") a.ns = info.ns;
  } else if (const Value* nra = object::Find(spec, {"nonResourceAttributes"}); nra != nullptr && nra->is_object()) {
    a.resource_request = false;
    a.verb = nra->value("verb", "");
    a.path = nra->value("path", "");
  } else {
    WriteError(res, InvalidError(*service_.registry().Find(info.group, info.version, resource), "",
                                 {RequiredValue("spec.resourceAttributes",
                                                "exactly one of nonResourceAttributes or resourceAttributes must "
                                                "be specified")}));
    return true;
  }
  bool allowed = options_.authorizer == nullptr || options_.authorizer->Authorize(a);
  Value status = {{"allowed", allowed}};
  if (allowed && options_.rbac) status["reason"] = "RBAC: allowed";
  body["status"] = status;
  if (!body.contains("metadata")) body["metadata"] = Value::object();
  WriteValue(res, 201, body);
  return true;
}

}  // namespace fluxcpp::devapiserver
