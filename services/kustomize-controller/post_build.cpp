#include "services/kustomize-controller/post_build.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/envsubst/resource_substitution.h"

namespace fluxcpp::kustomize_controller {

absl::StatusOr<std::map<std::string, std::string>> CollectVariables(kube::Client& client, const object::Value& obj) {
  std::map<std::string, std::string> vars;
  const std::string ns = object::GetString(obj, {"metadata", "namespace"});
  if (const object::Value* from = object::Find(obj, {"spec", "postBuild", "substituteFrom"}); from && from->is_array()) {
    for (const auto& ref : *from) {
      std::string kind = object::GetString(ref, {"kind"});
      std::string name = object::GetString(ref, {"name"});
      bool optional = object::GetBool(ref, {"optional"});
      if (kind != "ConfigMap" && kind != "Secret") {
        return absl::InvalidArgumentError(
            absl::StrCat("substitute from '", kind, "/", name, "' error: unsupported kind '", kind, "'"));
      }
      auto got = client.Get(kube::GroupVersionKind{"", "v1", kind}, ns, name);
      if (!got.ok()) {
        if (got.status().code() == absl::StatusCode::kNotFound && optional) continue;
        std::string detail = std::string(got.status().message());
        if (got.status().code() == absl::StatusCode::kNotFound && detail.empty()) {
          detail = absl::StrCat(kind == "ConfigMap" ? "configmaps" : "secrets", " \"", name, "\" not found");
        }
        return absl::Status(got.status().code(),
                            absl::StrCat("substitute from '", kind, "/", name, "' error: ", detail));
      }
      const object::Value* data = object::Find(*got, {"data"});
      if (data == nullptr || !data->is_object()) continue;
      for (auto it = data->begin(); it != data->end(); ++it) {
        if (!it.value().is_string()) continue;
        std::string value = it.value().get<std::string>();
        if (kind == "Secret") {
          std::string decoded;
          if (!absl::Base64Unescape(value, &decoded)) {
            return absl::InvalidArgumentError(
                absl::StrCat("substitute from 'Secret/", name, "' error: invalid base64 in key '", it.key(), "'"));
          }
          value = std::move(decoded);
        }
        vars[it.key()] = std::move(value);
      }
    }
  }
  if (const object::Value* inline_vars = object::Find(obj, {"spec", "postBuild", "substitute"});
      inline_vars && inline_vars->is_object()) {
    for (auto it = inline_vars->begin(); it != inline_vars->end(); ++it) {
      if (it.value().is_string()) vars[it.key()] = it.value().get<std::string>();
    }
  }
  return envsubst::StripNewlines(std::move(vars));
}

absl::Status SubstituteAll(const object::Value& obj, const std::map<std::string, std::string>& vars, bool strict,
                           std::vector<object::Value>& resources) {
  if (object::Find(obj, {"spec", "postBuild"}) == nullptr) return absl::OkStatus();
  const bool always = object::GetString(obj, {"spec", "postBuild", "substituteStrategy"}) == "Always";
  for (object::Value& resource : resources) {
    auto out = envsubst::SubstituteResource(resource, vars, strict, always);
    if (!out.ok()) return envsubst::PostBuildError(resource, out.status());
    resource = std::move(*out);
  }
  return absl::OkStatus();
}

std::vector<std::string> SubstitutionSources(const object::Value& obj) {
  std::vector<std::string> out;
  if (const object::Value* from = object::Find(obj, {"spec", "postBuild", "substituteFrom"}); from && from->is_array()) {
    for (const auto& ref : *from) {
      out.push_back(absl::StrCat(object::GetString(ref, {"kind"}), "/", object::GetString(ref, {"name"})));
    }
  }
  return out;
}

}  // namespace fluxcpp::kustomize_controller
