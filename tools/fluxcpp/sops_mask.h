#pragma once
// `flux build`'s masking of SOPS-encrypted Secrets (flux2 internal/build
// maskSopsData), so encrypted values are never printed:
//   - a Secret whose YAML holds both "sops:" and "mac: ENC[" loses its `sops`
//     field and every data value becomes base64("**SOPS**"), every stringData
//     value "**SOPS**" (kubernetes.io/dockerconfigjson: {"mask":"**SOPS**"},
//     base64-encoded under data);
//   - otherwise single data (base64-decoded) / stringData values containing
//     both "sops" and "ENC[" are replaced by base64("**SOPS**").
// Other kinds are untouched.

#include "absl/status/status.h"
#include "libs/object/value.h"

namespace fluxcpp::cli {

inline constexpr char kSopsMask[] = "**SOPS**";

// Errors only on a data value that is not valid base64:
// "failed to mask secret <name> sops data: illegal base64 data".
absl::Status MaskSopsData(object::Value& resource);

}  // namespace fluxcpp::cli
