#include "services/kustomize-controller/workload_identity.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace fluxcpp::kustomize_controller {
namespace {

constexpr const char* kField = "spec.kubeConfig.configMapRef";

std::string Trim(absl::string_view s) { return std::string(absl::StripAsciiWhitespace(s)); }

// The cloud each provider needs for workload identity.
const char* CloudOf(const std::string& provider) {
  if (provider == "aws") return "the AWS STS and EKS APIs";
  if (provider == "azure") return "Microsoft Entra ID and the AKS API";
  if (provider == "gcp") return "the Google STS and GKE APIs";
  return nullptr;
}

// The service account named by the subject of a projected token
// ("system:serviceaccount:<ns>:<name>"), as {ns, name}.
absl::StatusOr<std::pair<std::string, std::string>> ControllerServiceAccount(
    const std::string& token_file) {
  std::ifstream in(token_file);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("failed to read service account token file ", token_file,
                     ": no such file (set data.serviceAccountName in the ConfigMap or "
                     "--default-kubeconfig-service-account)"));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> parts = absl::StrSplit(Trim(text.str()), '.');
  std::string claims_json;
  if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[1], &claims_json)) {
    return absl::InvalidArgumentError(
        absl::StrCat("failed to parse service account token file ", token_file));
  }
  auto claims = object::ParseJson(claims_json);
  if (!claims.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("failed to parse service account token file ", token_file));
  const std::string sub = object::GetString(*claims, {"sub"});
  std::vector<std::string> fields = absl::StrSplit(sub, ':');
  if (fields.size() != 4 || fields[0] != "system" || fields[1] != "serviceaccount") {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid subject format in service account token: ", sub));
  }
  return std::make_pair(fields[2], fields[3]);
}

}  // namespace

absl::StatusOr<WorkloadIdentityConfig> ParseWorkloadIdentityConfig(
    const object::Value& configmap, const std::string& ref,
    const std::string& default_service_account) {
  auto key = [&](const char* k) { return Trim(object::GetString(configmap, {"data", k})); };
  WorkloadIdentityConfig out;
  out.provider = key("provider");
  out.cluster = key("cluster");
  out.address = key("address");
  out.ca_pem = object::GetString(configmap, {"data", "ca.crt"});
  out.service_account = key("serviceAccountName");
  if (out.service_account.empty()) out.service_account = default_service_account;
  for (absl::string_view line :
       absl::StrSplit(object::GetString(configmap, {"data", "audiences"}), '\n')) {
    if (std::string a = Trim(line); !a.empty()) out.audiences.push_back(a);
  }
  if (out.provider.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kField, ": ConfigMap '", ref, "' has no 'provider' key (one of aws, azure, gcp, generic)"));
  }
  if (const char* cloud = CloudOf(out.provider); cloud != nullptr) {
    return absl::UnimplementedError(
        absl::StrCat(kField, ": provider '", out.provider, "' of ConfigMap '", ref,
                     "' is not supported by this controller: it needs ", cloud,
                     " to exchange the service account token, and no cloud endpoints are reachable "
                     "here; use provider "
                     "'generic' (a remote cluster trusting this cluster's service-account issuer) "
                     "or spec.kubeConfig.secretRef"));
  }
  if (out.provider != "generic") {
    return absl::InvalidArgumentError(absl::StrCat(kField, ": ConfigMap '", ref,
                                                   "' has unsupported provider '", out.provider,
                                                   "' (one of aws, azure, gcp, generic)"));
  }
  if (out.address.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        kField, ": ConfigMap '", ref, "' has no 'address' key, which provider 'generic' requires"));
  }
  if (!absl::StrContains(out.address, "://")) out.address = absl::StrCat("https://", out.address);
  if (!absl::StartsWith(out.address, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat(kField, ": ConfigMap '", ref, "' address '", out.address,
                     "' must use https (the service account token is sent to it)"));
  }
  if (!out.ca_pem.empty() && !absl::StrContains(out.ca_pem, "-----BEGIN CERTIFICATE-----")) {
    return absl::InvalidArgumentError(
        absl::StrCat(kField, ": ConfigMap '", ref, "' key 'ca.crt' is not a PEM certificate"));
  }
  if (out.audiences.empty()) out.audiences.push_back(out.address);
  return out;
}

std::string TokenCache::Get(const std::string& key,
                            std::chrono::system_clock::time_point now) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.renew_at || now >= it->second.expires) return "";
  return it->second.token;
}

void TokenCache::Put(const std::string& key, std::string token,
                     std::chrono::system_clock::time_point issued,
                     std::chrono::system_clock::time_point expires) {
  if (max_size_ == 0 || expires <= issued) return;
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= max_size_ && entries_.find(key) == entries_.end()) {
    // Drop the entry expiring first.
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.expires < oldest->second.expires) oldest = it;
    }
    entries_.erase(oldest);
  }
  entries_[key] = Entry{std::move(token),
                        std::min(issued + (expires - issued) / 2, issued + max_duration_), expires};
}

absl::StatusOr<kube::Config> WorkloadIdentityKubeconfig(kube::Client& base,
                                                        const object::Value& obj,
                                                        const KustomizationOptions& options,
                                                        TokenCache* cache) {
  const std::string ns = object::GetString(obj, {"metadata", "namespace"});
  const std::string name = object::GetString(obj, {"spec", "kubeConfig", "configMapRef", "name"});
  const std::string ref = absl::StrCat(ns, "/", name);
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(kField, ".name is required"));
  auto configmap = base.Get(kube::GroupVersionKind{"", "v1", "ConfigMap"}, ns, name);
  if (!configmap.ok()) {
    return absl::Status(configmap.status().code(),
                        absl::StrCat(kField, ": unable to read ConfigMap '", ref,
                                     "': ", std::string(configmap.status().message())));
  }
  auto config =
      ParseWorkloadIdentityConfig(*configmap, ref, options.default_kubeconfig_service_account);
  if (!config.ok()) return config.status();

  std::string sa_ns = ns;
  std::string sa_name = config->service_account;
  if (!sa_name.empty()) {
    if (!options.object_level_workload_identity) {
      return absl::FailedPreconditionError(absl::StrCat(
          kField, ": service account '", sa_name,
          "' for workload identity: ObjectLevelWorkloadIdentity feature gate is not enabled"));
    }
  } else {
    auto controller = ControllerServiceAccount(options.controller_token_file);
    if (!controller.ok()) {
      return absl::Status(controller.status().code(),
                          absl::StrCat(kField, ": no service account for the controller: ",
                                       std::string(controller.status().message())));
    }
    sa_ns = controller->first;
    sa_name = controller->second;
  }

  const std::string cache_key =
      absl::StrCat(sa_ns, "/", sa_name, "|", absl::StrJoin(config->audiences, ","));
  const auto now = std::chrono::system_clock::now();
  std::string token = cache != nullptr ? cache->Get(cache_key, now) : "";
  if (token.empty()) {
    object::Value audiences = object::Value::array();
    for (const auto& a : config->audiences) audiences.push_back(a);
    object::Value request = {{"apiVersion", "authentication.k8s.io/v1"},
                             {"kind", "TokenRequest"},
                             {"spec", {{"audiences", audiences}}}};
    auto answer = base.CreateSubresource(kube::GroupVersionKind{"", "v1", "ServiceAccount"}, sa_ns,
                                         sa_name, "token", request);
    if (!answer.ok()) {
      return absl::Status(
          answer.status().code(),
          absl::StrCat(kField, ": failed to create kubernetes token for service account '", sa_ns,
                       "/", sa_name, "': ", std::string(answer.status().message())));
    }
    token = object::GetString(*answer, {"status", "token"});
    if (token.empty()) {
      return absl::InternalError(absl::StrCat(kField, ": the TokenRequest for service account '",
                                              sa_ns, "/", sa_name, "' returned no token"));
    }
    absl::Time expires;
    std::string err;
    if (cache != nullptr &&
        absl::ParseTime(absl::RFC3339_full,
                        object::GetString(*answer, {"status", "expirationTimestamp"}), &expires,
                        &err)) {
      cache->Put(cache_key, token, now, absl::ToChronoTime(expires));
    }
  }
  kube::Config out;
  out.server = config->address;
  out.ca_pem = config->ca_pem;
  out.bearer_token = std::move(token);
  return out;
}

}  // namespace fluxcpp::kustomize_controller
