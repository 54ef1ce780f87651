#pragma once
// client-go credential plugins (kubeconfig `user.exec`): runs the command and
// reads the ExecCredential it prints. Only reached when exec plugins are
// allowed (--insecure-kubeconfig-exec, CVE-2022-24817).

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/object/value.h"

namespace fluxcpp::kube {

struct ExecCredential {
  std::string token;
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::string expiration_timestamp;  // RFC 3339, "" when none
};

// `exec` is the kubeconfig's user.exec object (command, args, env,
// apiVersion). The plugin gets KUBERNETES_EXEC_INFO, no stdin, and
// `timeout` to finish.
absl::StatusOr<ExecCredential> RunExecPlugin(const object::Value& exec,
                                             absl::Duration timeout = absl::Seconds(60));

}  // namespace fluxcpp::kube
