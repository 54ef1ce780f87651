// kustomize-controller: Kustomization → kustomize build → staged server-side
// apply → prune. Reacts to new artifacts through the Kubernetes watch on
// sources and, when --source-grpc-addr is set, at once through gRPC.

#include <cstdio>
#include <memory>
#include <mutex>

#include "libs/core/flags.h"
#include "libs/core/logger.h"
#include "libs/rpc/artifact_watcher.h"
#include "libs/rpc/event_publisher.h"
#include "libs/rpc/event_sink.h"
#include "libs/runtime/events.h"
#include "libs/runtime/manager.h"
#include "libs/runtime/options.h"
#include "services/kustomize-controller/kustomization_reconciler.h"

using namespace fluxcpp;

namespace {

int Fail(const Logger& log, const std::string& what, const absl::Status& status) {
  log.Error(what, {{"error", std::string(status.message())}});
  return 1;
}

// Kustomizations (from the controller's cache) that use the given source.
std::vector<runtime::Request> ConsumersOf(runtime::Informer& kustomizations, const std::string& kind,
                                          const std::string& ns, const std::string& name) {
  std::vector<runtime::Request> out;
  for (const auto& ks : kustomizations.List()) {
    auto [k, n, nm] = kustomize_controller::KustomizationReconciler::SourceOf(*ks);
    if (k == kind && n == ns && nm == name) {
      out.push_back({object::GetString(*ks, {"metadata", "namespace"}), object::GetString(*ks, {"metadata", "name"})});
    }
  }
  return out;
}

// A source update matters when its artifact revision changed (or appeared).
bool ArtifactRevisionChanged(const object::Value& old_obj, const object::Value& new_obj) {
  return object::GetString(old_obj, {"status", "artifact", "revision"}) !=
         object::GetString(new_obj, {"status", "artifact", "revision"});
}

}  // namespace

int main(int argc, char** argv) {
  FlagSet flags("kustomize-controller");
  runtime::ManagerOptions manager_options;
  runtime::RegisterCommonFlags(flags, manager_options);
  kustomize_controller::KustomizationOptions options;
  Duration requeue_dependency = std::chrono::seconds(30);
  std::string source_grpc_addr;
  flags.DurationFlag("requeue-dependency", &requeue_dependency,
                     "The interval at which failing dependencies are reevaluated.");
  flags.Int("http-retry", &options.http_retry, "The maximum number of retries when failing to fetch artifacts over HTTP.");
  flags.Bool("no-cross-namespace-refs", &options.no_cross_namespace_refs,
             "When set to true, references between custom resources are allowed only if the reference and the referee are in the same namespace.");
  flags.Bool("no-remote-bases", &options.no_remote_bases,
             "Disallow remote bases usage in Kustomize overlays. When this flag is enabled, all resources must refer to local files included in the source artifact.");
  flags.String("default-service-account", &options.default_service_account,
               "Default service account used for impersonation.");
  flags.String("source-grpc-addr", &source_grpc_addr,
               "host:port of source-controller's gRPC ArtifactService for immediate artifact notices (empty: Kubernetes watch only).");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    if (s.code() == absl::StatusCode::kCancelled) return 0;
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  options.requeue_dependency = requeue_dependency;
  options.tmp_dir = EnvOr("TMPDIR", "/tmp");
  Logger log({{"logger", "setup"}});
  if (absl::Status s = runtime::FinalizeOptions(manager_options); !s.ok()) return Fail(log, "invalid flags", s);

  auto manager = runtime::Manager::Create(manager_options);
  if (!manager.ok()) return Fail(log, "unable to create manager", manager.status());

  std::unique_ptr<rpc::EventPublisher> publisher;
  runtime::EventRecorderOptions recorder_options;
  recorder_options.controller_name = "kustomize-controller";
  if (!manager_options.events_addr.empty()) {
    auto created = rpc::EventPublisher::Create(manager_options.events_addr);
    if (!created.ok()) return Fail(log, "invalid --events-addr", created.status());
    publisher = std::move(*created);
    recorder_options.sink = rpc::ForwardTo(*publisher);
  }
  runtime::EventRecorder recorder((*manager)->client(), recorder_options);

  const kube::GroupVersionKind gvk{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
  runtime::Controller& controller = (*manager)->AddController(
      (*manager)->ControllerDefaults("kustomization", gvk),
      std::make_unique<kustomize_controller::KustomizationReconciler>(&(*manager)->client(), &recorder, options));
  runtime::Informer& kustomizations = controller.informer();
  for (const char* kind : {"GitRepository"}) {
    controller.Watch(
        kube::GroupVersionKind{"source.toolkit.fluxcd.io", "v1", kind},
        [&kustomizations, kind](const object::Value& src) {
          return ConsumersOf(kustomizations, kind, object::GetString(src, {"metadata", "namespace"}),
                             object::GetString(src, {"metadata", "name"}));
        },
        ArtifactRevisionChanged);
  }

  std::unique_ptr<rpc::ArtifactWatcher> artifact_watcher;
  if (!source_grpc_addr.empty()) {
    artifact_watcher = rpc::ArtifactWatcher::Start(
        source_grpc_addr, {"GitRepository", "OCIRepository", "Bucket"},
        [&](const rpc::SourceRef& src, const rpc::ArtifactInfo& artifact) {
          for (const auto& req : ConsumersOf(kustomizations, src.kind, src.ns, src.name)) {
            auto ks = kustomizations.Get(req.Key());
            if (ks && object::GetString(*ks, {"status", "lastAttemptedRevision"}) == artifact.revision &&
                object::GetString(*ks, {"status", "lastAppliedRevision"}) == artifact.revision) {
              continue;  // already at this revision
            }
            controller.Enqueue(req);
          }
        });
  }

  absl::Status run = (*manager)->Run();
  if (artifact_watcher) artifact_watcher->Stop();
  recorder.Flush(std::chrono::seconds(5));
  if (publisher) publisher->Flush(2000);
  if (!run.ok()) return Fail(log, "manager exited with an error", run);
  return 0;
}
