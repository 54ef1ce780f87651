#include "tools/dev-apiserver/token_request.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/object/yaml.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/http_util.h"
#include "tools/dev-apiserver/object_service.h"
#include "tools/dev-apiserver/protobuf_decoder.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

constexpr int64_t kDefaultExpirationSeconds = 3600;
constexpr int64_t kMinExpirationSeconds = 600;

absl::Status Unauthorized() { return ApiError(401, "Unauthorized", "Unauthorized"); }

std::string Rfc3339(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

}  // namespace

ServiceAccountTokens::ServiceAccountTokens(ServiceAccountTokenOptions options)
    : options_(std::move(options)) {
  if (options_.api_audiences.empty()) options_.api_audiences.push_back(options_.issuer);
}

std::string ServiceAccountTokens::RandomKey() {
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    // Fall back to the time and address: only dev servers without a key file get here.
    key = absl::StrCat(absl::ToUnixNanos(absl::Now()), reinterpret_cast<uintptr_t>(&key));
  }
  return key;
}

absl::StatusOr<std::string> ServiceAccountTokens::LoadOrCreateKey(const std::string& path) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      std::string key = text.str();
      if (key.empty())
        return absl::InvalidArgumentError(
            absl::StrCat("service account signing key file ", path, " is empty"));
      return key;
    }
  }
  std::string key = absl::BytesToHexString(RandomKey());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write service account signing key file ", path));
  out << key;
  out.close();
  ::chmod(path.c_str(), 0600);
  return key;
}

std::string ServiceAccountTokens::Sign(const std::string& signing_input) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), options_.signing_key.data(), static_cast<int>(options_.signing_key.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &len);
  return absl::WebSafeBase64Escape(std::string(reinterpret_cast<const char*>(mac), len));
}

std::string ServiceAccountTokens::Issue(const std::string& ns, const std::string& name,
                                        const std::string& uid,
                                        const std::vector<std::string>& audiences,
                                        int64_t expiration_seconds, int64_t now_unix) const {
  Value header = {{"alg", "HS256"}, {"typ", "JWT"}};
  Value aud = Value::array();
  for (const auto& a : audiences.empty() ? options_.api_audiences : audiences) aud.push_back(a);
  Value claims = {
      {"aud", aud},
      {"exp", now_unix + expiration_seconds},
      {"iat", now_unix},
      {"iss", options_.issuer},
      {"kubernetes.io", {{"namespace", ns}, {"serviceaccount", {{"name", name}, {"uid", uid}}}}},
      {"nbf", now_unix},
      {"sub", absl::StrCat("system:serviceaccount:", ns, ":", name)}};
  std::string signing_input = absl::StrCat(absl::WebSafeBase64Escape(object::ToJson(header)), ".",
                                           absl::WebSafeBase64Escape(object::ToJson(claims)));
  return absl::StrCat(signing_input, ".", Sign(signing_input));
}

std::optional<absl::StatusOr<UserInfo>> ServiceAccountTokens::Authenticate(const std::string& token,
                                                                           int64_t now_unix) const {
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return std::nullopt;
  const std::string expected = Sign(absl::StrCat(parts[0], ".", parts[1]));
  if (expected.size() != parts[2].size() ||
      CRYPTO_memcmp(expected.data(), parts[2].data(), expected.size()) != 0) {
    return std::nullopt;  // not signed by us
  }
  std::string header_json, claims_json;
  if (!absl::WebSafeBase64Unescape(parts[0], &header_json) ||
      !absl::WebSafeBase64Unescape(parts[1], &claims_json)) {
    return Unauthorized();
  }
  auto header = object::ParseJson(header_json);
  auto claims = object::ParseJson(claims_json);
  if (!header.ok() || !claims.ok() || object::GetString(*header, {"alg"}) != "HS256")
    return Unauthorized();
  if (object::GetString(*claims, {"iss"}) != options_.issuer) return Unauthorized();
  const int64_t exp = object::GetInt(*claims, {"exp"});
  const int64_t nbf = object::GetInt(*claims, {"nbf"});
  if (now_unix >= exp || now_unix < nbf) return Unauthorized();
  bool audience_ok = false;
  if (const Value* aud = object::Find(*claims, {"aud"}); aud != nullptr && aud->is_array()) {
    for (const auto& a : *aud) {
      for (const auto& mine : options_.api_audiences)
        audience_ok = audience_ok || (a.is_string() && a == mine);
    }
  }
  if (!audience_ok) return Unauthorized();
  std::vector<std::string> sub = absl::StrSplit(object::GetString(*claims, {"sub"}), ':');
  if (sub.size() != 4 || sub[0] != "system" || sub[1] != "serviceaccount" || sub[2].empty() ||
      sub[3].empty()) {
    return Unauthorized();
  }
  UserInfo user{absl::StrCat("system:serviceaccount:", sub[2], ":", sub[3]),
                object::GetString(*claims, {"kubernetes.io", "serviceaccount", "uid"}),
                {"system:serviceaccounts", absl::StrCat("system:serviceaccounts:", sub[2]),
                 kSystemAuthenticated}};
  return user;
}

absl::StatusOr<Value> ServiceAccountTokens::Answer(const Value& service_account,
                                                   const Value& request, int64_t now_unix) const {
  const std::string name = object::GetString(service_account, {"metadata", "name"});
  const std::string ns = object::GetString(service_account, {"metadata", "namespace"});
  if (object::GetString(request, {"kind"}, "TokenRequest") != "TokenRequest") {
    return BadRequestError(
        absl::StrCat("expected a TokenRequest, got ", object::GetString(request, {"kind"})));
  }
  int64_t expiration = kDefaultExpirationSeconds;
  if (const Value* e = object::Find(request, {"spec", "expirationSeconds"});
      e != nullptr && !e->is_null()) {
    if (!e->is_number_integer()) {
      return ApiError(422, "Invalid",
                      "TokenRequest.authentication.k8s.io is invalid: spec.expirationSeconds: must "
                      "be an integer");
    }
    expiration = e->get<int64_t>();
  }
  if (expiration < kMinExpirationSeconds) {
    return ApiError(422, "Invalid",
                    absl::StrCat("TokenRequest.authentication.k8s.io \"", name,
                                 "\" is invalid: spec.expirationSeconds: Invalid value: ",
                                 expiration, ": may not specify a duration less than 10 minutes"));
  }
  std::vector<std::string> audiences;
  if (const Value* a = object::Find(request, {"spec", "audiences"});
      a != nullptr && a->is_array()) {
    for (const auto& item : *a) {
      if (item.is_string() && !item.get<std::string>().empty())
        audiences.push_back(item.get<std::string>());
    }
  }
  if (audiences.empty()) audiences = options_.api_audiences;
  Value aud = Value::array();
  for (const auto& x : audiences) aud.push_back(x);
  Value out = {
      {"kind", "TokenRequest"},
      {"apiVersion", "authentication.k8s.io/v1"},
      {"metadata", {{"name", name}, {"namespace", ns}, {"creationTimestamp", nullptr}}},
      {"spec",
       {{"audiences", aud}, {"expirationSeconds", expiration}, {"boundObjectRef", nullptr}}},
      {"status",
       {{"token", Issue(ns, name, object::GetString(service_account, {"metadata", "uid"}),
                        audiences, expiration, now_unix)},
        {"expirationTimestamp", Rfc3339(now_unix + expiration)}}}};
  return out;
}

void ServeTokenRequest(const ServiceAccountTokens* tokens, ObjectService& service,
                       const httplib::Request& req, httplib::Response& res, const std::string& ns,
                       const std::string& name) {
  if (tokens == nullptr) return WriteError(res, PathNotFoundError());
  if (req.method != "POST") return WriteError(res, MethodNotAllowedError());
  ResourcePtr sa_resource = service.registry().Find("", "v1", "serviceaccounts");
  if (sa_resource == nullptr) return WriteError(res, PathNotFoundError());
  RequestScope scope;
  scope.resource = sa_resource;
  scope.ns = ns;
  scope.name = name;
  auto stored = service.Get(scope);
  if (!stored.ok()) return WriteError(res, stored.status());
  auto service_account = object::ParseJson(**stored);
  if (!service_account.ok())
    return WriteError(res, InternalServerError(service_account.status().message()));
  if (req.body.empty()) return WriteError(res, BadRequestError("the body of the request is empty"));
  absl::StatusOr<Value> body;
  std::string type = MediaType(req.get_header_value("Content-Type"));
  if (type == kProtobufMediaType) {
    body = DecodeKubernetesProtobuf(req.body);
    if (!body.ok()) return WriteError(res, UnsupportedMediaTypeError(body.status().message()));
  } else {
    body = type == "application/yaml" ? object::ParseYaml(req.body) : object::ParseJson(req.body);
    if (!body.ok()) return WriteError(res, BadRequestError(body.status().message()));
  }
  auto answer = tokens->Answer(*service_account, *body, absl::ToUnixSeconds(absl::Now()));
  if (!answer.ok()) return WriteError(res, answer.status());
  if (req.has_param("dryRun") && req.get_param_value("dryRun") == "All") {
    (*answer)["status"]["token"] = "";  // kube issues nothing on a dry run
  }
  WriteValue(res, 201, *answer);
}

}  // namespace fluxcpp::devapiserver
