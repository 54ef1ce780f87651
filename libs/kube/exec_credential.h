#pragma once
// client-go credential plugins (kubeconfig `user.exec`), protocol
// client.authentication.k8s.io/v1 (and v1beta1): the command runs with
// KUBERNETES_EXEC_INFO set to an ExecCredential whose spec says it is not
// interactive (a controller has no terminal; stdin is /dev/null) and, with
// `provideClusterInfo: true`, carries the cluster; it prints an
// ExecCredential whose status has a bearer token and/or a client certificate
// and key, optionally with an expirationTimestamp. Only reached when exec
// plugins are allowed (--insecure-kubeconfig-exec, CVE-2022-24817).

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/object/value.h"

namespace fluxcpp::kube {

struct ExecCredential {
  std::string token;
  std::string client_certificate_pem;
  std::string client_key_pem;
  std::string expiration_timestamp;              // RFC 3339 as printed, "" when none
  absl::Time expiry = absl::InfiniteFuture();  // parsed expiration_timestamp
};

// `exec` is the kubeconfig's user.exec object (apiVersion, command, args,
// env, interactiveMode, provideClusterInfo). `cluster` is spec.cluster of
// the exec info (server, certificate-authority-data, ...), sent only when
// exec.provideClusterInfo is true. The plugin has `timeout` to finish.
// Errors name the command; the credential itself is never in a message.
absl::StatusOr<ExecCredential> RunExecPlugin(const object::Value& exec,
                                             const object::Value& cluster = object::Value(),
                                             absl::Duration timeout = absl::Seconds(60));

// A plugin's credential shared by every request of a transport: cached until
// its expirationTimestamp (forever without one), then fetched again; a 401
// from the server drops it early. Thread-safe; concurrent callers of an
// expired credential wait for a single plugin run.
class ExecCredentialSource {
 public:
  ExecCredentialSource(object::Value exec, object::Value cluster, std::string user_name,
                       absl::Duration timeout = absl::Seconds(60));

  // The cached credential, or a new one when none is cached or it expired.
  absl::StatusOr<ExecCredential> Get() ABSL_LOCKS_EXCLUDED(mu_);

  // The server refused `token` (401 Unauthorized): the next Get() runs the
  // plugin again, unless the cached credential is already a newer one.
  void Invalidate(const std::string& token) ABSL_LOCKS_EXCLUDED(mu_);

  // How many times the plugin ran (for tests and debugging).
  int runs() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const object::Value exec_;
  const object::Value cluster_;
  const std::string user_name_;
  const absl::Duration timeout_;
  mutable absl::Mutex mu_;
  bool cached_ ABSL_GUARDED_BY(mu_) = false;
  ExecCredential credential_ ABSL_GUARDED_BY(mu_);
  int runs_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace fluxcpp::kube
