// Manager::Create, the only part of the runtime library that needs the
// kube client implementation (kubeconfig loading and connecting).
#include "libs/runtime/manager.h"

#include <signal.h>

#include "libs/kube/config.h"
#include "libs/runtime/malloc_tuning.h"

namespace fluxcpp::runtime {

absl::StatusOr<std::unique_ptr<Manager>> Manager::Create(ManagerOptions options) {
  // Before the manager starts its threads (see malloc_tuning.h).
  LimitMallocArenas();
  // A controller must never die because a peer closed a pipe or socket it
  // writes to (a credential plugin, a git helper, a library writing with
  // write(2)): the write fails with EPIPE instead. Kept if the program chose
  // its own disposition.
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
  kube::LoadOptions load;
  load.kubeconfig_path = options.kubeconfig;
  load.allow_exec = options.insecure_kubeconfig_exec;
  absl::StatusOr<kube::Config> config = kube::LoadConfig(load);
  if (!config.ok()) return config.status();
  config->qps = options.kube_api_qps;
  config->burst = options.kube_api_burst;
  absl::StatusOr<std::unique_ptr<kube::Client>> client = kube::Client::Create(*config);
  if (!client.ok()) return client.status();
  return std::make_unique<Manager>(std::move(*client), std::move(options));
}

}  // namespace fluxcpp::runtime
