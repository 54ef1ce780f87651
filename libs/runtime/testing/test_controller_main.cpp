// runtime-test-controller: a minimal controller binary for the framework's
// multi-process tests (leader election, kill -9, SIGTERM drain). It takes
// every common flag of a Flux controller and reconciles ConfigMaps:
//
//   runtime-test-controller --kubeconfig k.yaml --enable-leader-election
//       --record-file /tmp/r.log --identity a --reconcile-sleep 200ms
//
// Each reconcile appends one line when it begins and one when it ends to
// --record-file (single O_APPEND writes, so replicas can share the file):
//   begin <identity> <namespace/name> <resourceVersion>
//   end <identity> <namespace/name>          (slept the full duration)
//   cancelled <identity> <namespace/name>    (saw its stop token or deadline)
// A ConfigMap with data.fail="true" fails its reconcile (backoff tests).
// Process exit status: 0 after SIGTERM/SIGINT, 1 on errors and on lost
// leadership (as Flux's controllers).

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/core/flags.h"
#include "libs/core/logger.h"
#include "libs/runtime/leader_elector.h"
#include "libs/runtime/manager.h"
#include "libs/runtime/options.h"
#include "libs/runtime/reconciler.h"

namespace {

using namespace fluxcpp;

const kube::GroupVersionKind kConfigMapGVK{"", "v1", "ConfigMap"};

class RecordingReconciler : public runtime::Reconciler {
 public:
  RecordingReconciler(kube::Client& client, std::string record_file, std::string identity, Duration sleep)
      : client_(client), identity_(std::move(identity)), sleep_(sleep) {
    if (!record_file.empty()) fd_ = ::open(record_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }
  ~RecordingReconciler() override {
    if (fd_ >= 0) ::close(fd_);
  }

  runtime::Result Reconcile(const runtime::Request& req, runtime::ReconcileContext& ctx) override {
    auto got = client_.Get(kConfigMapGVK, req.ns, req.name);
    if (absl::IsNotFound(got.status())) return runtime::Result::Done();
    if (!got.ok()) return runtime::Result::Error(got.status());
    Record(absl::StrCat("begin ", identity_, " ", req.Key(), " ",
                        object::GetString(*got, {"metadata", "resourceVersion"})));
    auto until = std::chrono::steady_clock::now() + sleep_;
    while (std::chrono::steady_clock::now() < until) {
      if (ctx.cancelled()) {
        Record(absl::StrCat("cancelled ", identity_, " ", req.Key()));
        return runtime::Result::Error(absl::CancelledError("reconcile cancelled"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    Record(absl::StrCat("end ", identity_, " ", req.Key()));
    if (object::GetString(*got, {"data", "fail"}) == "true") {
      return runtime::Result::Error(absl::InternalError("asked to fail"));
    }
    return runtime::Result::Done();
  }

 private:
  void Record(const std::string& line) {
    if (fd_ < 0) return;
    std::string l = line + "\n";
    (void)!::write(fd_, l.data(), l.size());
  }

  kube::Client& client_;
  std::string identity_;
  Duration sleep_;
  int fd_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
  runtime::ManagerOptions opts;
  opts.concurrent = 2;
  std::string record_file;
  std::string identity;
  Duration sleep = std::chrono::milliseconds(0);
  FlagSet flags("runtime-test-controller");
  runtime::RegisterCommonFlags(flags, opts);
  flags.String("record-file", &record_file, "Append reconcile records to this file.");
  flags.String("identity", &identity, "Leader election identity (default: hostname_uuid).");
  flags.DurationFlag("reconcile-sleep", &sleep, "How long each reconcile takes.");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    Logger().Error("invalid flags", {{"error", std::string(s.message())}});
    return 1;
  }
  if (absl::Status s = runtime::FinalizeOptions(opts); !s.ok()) {
    Logger().Error("invalid options", {{"error", std::string(s.message())}});
    return 1;
  }
  // The one line each controller main needs (with its own name).
  opts.leader_election_id = runtime::LeaderElectionId("runtime-test-controller", opts.watch_label_selector);
  opts.leader_election_identity = identity;
  if (identity.empty()) identity = std::to_string(::getpid());

  auto mgr = runtime::Manager::Create(opts);
  if (!mgr.ok()) {
    Logger().Error("unable to create manager", {{"error", std::string(mgr.status().message())}});
    return 1;
  }
  (*mgr)->AddController((*mgr)->ControllerDefaults("configmap", kConfigMapGVK),
                        std::make_unique<RecordingReconciler>((*mgr)->client(), record_file, identity, sleep));
  absl::Status s = (*mgr)->Run();
  if (!s.ok()) {
    Logger().Error("problem running manager", {{"error", std::string(s.message())}});
    return 1;
  }
  return 0;
}
