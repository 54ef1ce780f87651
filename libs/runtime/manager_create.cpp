// Manager::Create, the only part of the runtime library that needs the
// kube client implementation (kubeconfig loading and connecting).
#include "libs/runtime/manager.h"

#include "libs/kube/config.h"

namespace fluxcpp::runtime {

absl::StatusOr<std::unique_ptr<Manager>> Manager::Create(ManagerOptions options) {
  kube::LoadOptions load;
  load.kubeconfig_path = options.kubeconfig;
  absl::StatusOr<kube::Config> config = kube::LoadConfig(load);
  if (!config.ok()) return config.status();
  config->qps = options.kube_api_qps;
  config->burst = options.kube_api_burst;
  absl::StatusOr<std::unique_ptr<kube::Client>> client = kube::Client::Create(*config);
  if (!client.ok()) return client.status();
  return std::make_unique<Manager>(std::move(*client), std::move(options));
}

}  // namespace fluxcpp::runtime
