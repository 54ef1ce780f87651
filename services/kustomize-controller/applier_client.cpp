#include "services/kustomize-controller/applier_client.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/kube/config.h"

namespace fluxcpp::kustomize_controller {

absl::Status ValidateKubeConfigRef(const object::Value& obj) {
  const object::Value* kubeconfig = object::Find(obj, {"spec", "kubeConfig"});
  if (kubeconfig == nullptr || kubeconfig->is_null()) return absl::OkStatus();
  auto set = [&](const char* field) {
    const object::Value* v = object::Find(*kubeconfig, {field});
    return v != nullptr && !v->is_null();
  };
  const bool secret = set("secretRef");
  const bool configmap = set("configMapRef");
  if (secret == configmap) {
    return absl::InvalidArgumentError(absl::StrCat(
        "spec.kubeConfig: exactly one of secretRef or configMapRef must be specified",
        secret ? " (both are set)" : " (neither is set)"));
  }
  const char* ref = secret ? "secretRef" : "configMapRef";
  if (object::GetString(*kubeconfig, {ref, "name"}).empty()) {
    return absl::InvalidArgumentError(absl::StrCat("spec.kubeConfig.", ref, ".name is required"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ApplierClient> BuildApplierClient(kube::Client& base, const object::Value& obj,
                                                 const KustomizationOptions& options, TokenCache* tokens) {
  ApplierClient out;
  out.client = &base;
  const std::string ns = object::GetString(obj, {"metadata", "namespace"});
  if (absl::Status valid = ValidateKubeConfigRef(obj); !valid.ok()) return valid;
  if (const object::Value* ref = object::Find(obj, {"spec", "kubeConfig", "configMapRef"});
      ref != nullptr && !ref->is_null()) {
    auto config = WorkloadIdentityKubeconfig(base, obj, options, tokens);
    if (!config.ok()) return config.status();
    auto remote = kube::Client::Create(*config);
    if (!remote.ok()) {
      return absl::Status(remote.status().code(), absl::StrCat("spec.kubeConfig.configMapRef: ",
                                                               std::string(remote.status().message())));
    }
    out.remote = std::move(*remote);
    out.client = out.remote.get();
    out.is_remote = true;
  } else if (const object::Value* ref = object::Find(obj, {"spec", "kubeConfig", "secretRef"}); ref != nullptr) {
    std::string name = object::GetString(*ref, {"name"});
    std::string key = object::GetString(*ref, {"key"});
    auto secret = base.Get(kube::GroupVersionKind{"", "v1", "Secret"}, ns, name);
    if (!secret.ok()) {
      return absl::Status(secret.status().code(),
                          absl::StrCat("unable to read KubeConfig secret '", ns, "/", name, "' error: ",
                                       std::string(secret.status().message())));
    }
    std::string encoded;
    for (const std::string& k : key.empty() ? std::vector<std::string>{"value", "value.yaml"}
                                            : std::vector<std::string>{key}) {
      encoded = object::GetString(*secret, {"data", k});
      if (!encoded.empty()) break;
    }
    std::string text;
    if (encoded.empty() || !absl::Base64Unescape(encoded, &text)) {
      return absl::NotFoundError(absl::StrCat("KubeConfig secret '", ns, "/", name, "' does not contain the '",
                                              key.empty() ? "value' or 'value.yaml" : key, "' key with a kubeconfig"));
    }
    kube::LoadOptions load;
    load.allow_exec = options.insecure_kubeconfig_exec;
    auto config = kube::ParseKubeconfig(text, load);
    if (!config.ok()) {
      return absl::Status(config.status().code(), absl::StrCat("spec.kubeConfig.secretRef '", name,
                                                               "': ", std::string(config.status().message())));
    }
    if (config->insecure_skip_tls_verify && !options.insecure_kubeconfig_tls) {
      return absl::PermissionDeniedError(absl::StrCat(
          "spec.kubeConfig.secretRef '", name,
          "': insecure-skip-tls-verify is not allowed (start the controller with --insecure-kubeconfig-tls)"));
    }
    auto remote = kube::Client::Create(*config);
    if (!remote.ok()) return remote.status();
    out.remote = std::move(*remote);
    out.client = out.remote.get();
    out.is_remote = true;
  }
  out.service_account = object::GetString(obj, {"spec", "serviceAccountName"});
  if (out.service_account.empty()) out.service_account = options.default_service_account;
  if (!out.service_account.empty()) {
    out.impersonated =
        out.client->Impersonate(absl::StrCat("system:serviceaccount:", ns, ":", out.service_account), {});
    out.client = out.impersonated.get();
  }
  return out;
}

}  // namespace fluxcpp::kustomize_controller
