#include "services/kustomize-controller/applier_client.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/kube/config.h"

namespace fluxcpp::kustomize_controller {

absl::StatusOr<ApplierClient> BuildApplierClient(kube::Client& base, const object::Value& obj,
                                                 const KustomizationOptions& options) {
  ApplierClient out;
  out.client = &base;
  const std::string ns = object::GetString(obj, {"metadata", "namespace"});
  if (object::Find(obj, {"spec", "kubeConfig", "configMapRef"}) != nullptr) {
    return absl::UnimplementedError(
        "spec.kubeConfig.configMapRef: workload identity for remote clusters is not available in this version of "
        "kustomize-controller");
  }
  if (const object::Value* ref = object::Find(obj, {"spec", "kubeConfig", "secretRef"}); ref != nullptr) {
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
