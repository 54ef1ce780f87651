#include "tools/fluxcpp/sops_mask.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/object/yaml.h"

namespace fluxcpp::cli {
namespace {

bool Contains(const std::string& haystack, const char* needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

absl::Status MaskSopsData(object::Value& res) {
  if (object::GetString(res, {"kind"}) != "Secret") return absl::OkStatus();
  const std::string name = object::GetString(res, {"metadata", "name"});
  const std::string base64_mask = absl::Base64Escape(kSopsMask);
  object::Value* data = res.contains("data") && res["data"].is_object() ? &res["data"] : nullptr;
  object::Value* string_data =
      res.contains("stringData") && res["stringData"].is_object() ? &res["stringData"] : nullptr;
  const std::string as_yaml = object::ToYaml(res);
  if (Contains(as_yaml, "sops:") && Contains(as_yaml, "mac: ENC[")) {
    res.erase("sops");
    const bool dockercfg = object::GetString(res, {"type"}) == "kubernetes.io/dockerconfigjson";
    const std::string json_mask = absl::StrCat("{\"mask\":\"", kSopsMask, "\"}");
    if (data) {
      for (auto it = data->begin(); it != data->end(); ++it) {
        it.value() = dockercfg ? absl::Base64Escape(json_mask) : base64_mask;
      }
    }
    if (string_data) {
      for (auto it = string_data->begin(); it != string_data->end(); ++it) {
        it.value() = dockercfg ? json_mask : std::string(kSopsMask);
      }
    }
    return absl::OkStatus();
  }
  if (data) {
    for (auto it = data->begin(); it != data->end(); ++it) {
      if (!it.value().is_string()) continue;
      std::string decoded;
      if (!absl::Base64Unescape(it.value().get<std::string>(), &decoded)) {
        return absl::InvalidArgumentError(
            absl::StrCat("failed to mask secret ", name, " sops data: illegal base64 data"));
      }
      if (Contains(decoded, "sops") && Contains(decoded, "ENC[")) it.value() = base64_mask;
    }
  }
  if (string_data) {
    for (auto it = string_data->begin(); it != string_data->end(); ++it) {
      if (!it.value().is_string()) continue;
      const std::string v = it.value().get<std::string>();
      if (Contains(v, "sops") && Contains(v, "ENC[")) it.value() = base64_mask;
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::cli
