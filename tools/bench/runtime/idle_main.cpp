// bench-runtime-idle: the process `bench-runtime idle` measures. A Manager
// with one no-op ConfigMap controller, the metrics and health servers and
// leader election, doing nothing until SIGTERM. It links flux_runtime (and
// the kube client under it) and nothing else, so its RSS is what the
// framework alone costs a controller binary (issue #4: <= 10 MiB).
//
//   bench-runtime-idle --kubeconfig=PATH --metrics-addr=127.0.0.1:0 ... (RegisterCommonFlags)

#include <cstdio>
#include <memory>
#include <string>

#include "libs/core/flags.h"
#include "libs/runtime/manager.h"

namespace {

using namespace fluxcpp;

class NoopReconciler : public runtime::Reconciler {
 public:
  runtime::Result Reconcile(const runtime::Request&, runtime::ReconcileContext&) override {
    return runtime::Result::Done();
  }
};

}  // namespace

int main(int argc, char** argv) {
  runtime::ManagerOptions opts;
  FlagSet flags("bench-runtime-idle");
  runtime::RegisterCommonFlags(flags, opts);
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    std::fprintf(stderr, "bench-runtime-idle: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (absl::Status s = runtime::FinalizeOptions(opts); !s.ok()) {
    std::fprintf(stderr, "bench-runtime-idle: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  opts.leader_election_id = runtime::LeaderElectionId("bench-runtime", opts.watch_label_selector);
  auto mgr = runtime::Manager::Create(opts);
  if (!mgr.ok()) {
    std::fprintf(stderr, "bench-runtime-idle: %s\n", std::string(mgr.status().message()).c_str());
    return 1;
  }
  (*mgr)->AddController((*mgr)->ControllerDefaults("configmap", {"", "v1", "ConfigMap"}),
                        std::make_unique<NoopReconciler>());
  return (*mgr)->Run().ok() ? 0 : 1;
}
