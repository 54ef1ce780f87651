// source-controller: GitRepository → versioned artifacts served over HTTP,
// with new-artifact notices over gRPC ArtifactService.

#include <atomic>
#include <cstdio>
#include <memory>

#include "libs/artifact/file_server.h"
#include "libs/artifact/storage.h"
#include "libs/core/flags.h"
#include "libs/core/logger.h"
#include "libs/rpc/artifact_hub.h"
#include "libs/rpc/event_publisher.h"
#include "libs/rpc/event_sink.h"
#include "libs/runtime/events.h"
#include "libs/runtime/manager.h"
#include "libs/runtime/options.h"
#include "services/source-controller/gitrepository_reconciler.h"

using namespace fluxcpp;

namespace {

int Fail(const Logger& log, const std::string& what, const absl::Status& status) {
  log.Error(what, {{"error", std::string(status.message())}});
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  FlagSet flags("source-controller");
  runtime::ManagerOptions manager_options;
  manager_options.concurrent = 2;
  runtime::RegisterCommonFlags(flags, manager_options);

  std::string storage_path = EnvOr("STORAGE_PATH", "/data");
  std::string storage_addr = EnvOr("STORAGE_ADDRESS", ":9090");
  std::string storage_adv_addr = EnvOr("STORAGE_ADV_ADDR", "");
  std::string artifact_grpc_addr = ":9091";
  std::string digest_algo = "sha256";
  Duration retention_ttl = std::chrono::minutes(1);
  int retention_records = 2;
  Duration requeue_dependency = std::chrono::seconds(30);
  std::string git_cache_path = EnvOr("TMPDIR", "/tmp") + "/source-controller-git-cache";
  int64_t git_max_fetch_size = 0;
  flags.String("storage-path", &storage_path, "The local storage path.");
  flags.String("storage-addr", &storage_addr, "The address the static file server binds to.");
  flags.String("storage-adv-addr", &storage_adv_addr, "The advertised address of the static file server.");
  flags.String("artifact-grpc-addr", &artifact_grpc_addr,
               "The address the gRPC ArtifactService binds to (empty disables it).");
  flags.String("artifact-digest-algo", &digest_algo, "The algorithm to use to calculate the digest of artifacts.");
  flags.DurationFlag("artifact-retention-ttl", &retention_ttl,
                     "The duration of time that artifacts from previous reconciliations will be kept in storage.");
  flags.Int("artifact-retention-records", &retention_records,
            "The maximum number of artifacts to be kept in storage after a garbage collection.");
  flags.DurationFlag("requeue-dependency", &requeue_dependency, "The interval at which failing dependencies are reevaluated.");
  // Flux flags for kinds this controller does not serve yet (HelmRepository,
  // HelmChart) or for cloud workload identity: accepted, so Flux's
  // deployments start unchanged, and validated; they have no effect yet.
  int64_t helm_index_max_size = 50 << 20, helm_chart_max_size = 10 << 20, helm_chart_file_max_size = 5 << 20;
  int helm_cache_max_size = 0;
  Duration helm_cache_ttl = std::chrono::minutes(15), helm_cache_purge_interval = std::chrono::minutes(1);
  std::string default_service_account;
  int token_cache_max_size = 100;
  Duration token_cache_max_duration = std::chrono::hours(1);
  flags.Int("helm-index-max-size", &helm_index_max_size, "The max allowed size in bytes of a HelmRepository index file.");
  flags.Int("helm-chart-max-size", &helm_chart_max_size, "The max allowed size in bytes of a Helm chart file.");
  flags.Int("helm-chart-file-max-size", &helm_chart_file_max_size,
            "The max allowed size in bytes of a file in a Helm chart.");
  flags.Int("helm-cache-max-size", &helm_cache_max_size, "The maximum number of Helm indexes cached in memory.");
  flags.DurationFlag("helm-cache-ttl", &helm_cache_ttl, "The TTL of a Helm index in the cache.");
  flags.DurationFlag("helm-cache-purge-interval", &helm_cache_purge_interval, "How often expired indexes are purged.");
  flags.String("default-service-account", &default_service_account,
               "Default service account for object-level workload identity (needs ObjectLevelWorkloadIdentity).");
  flags.Int("token-cache-max-size", &token_cache_max_size, "The maximum number of cloud tokens cached (0 disables).");
  flags.DurationFlag("token-cache-max-duration", &token_cache_max_duration, "The longest a cached token is reused.");
  // SSH algorithm preferences: libgit2 1.5 runs the key exchange before any
  // hook can set them, so a restriction cannot be honoured; refusing to start
  // is safer than silently negotiating algorithms the operator excluded.
  std::string ssh_kex_algos, ssh_hostkey_algos;
  flags.String("ssh-kex-algos", &ssh_kex_algos, "Ordered SSH key-exchange algorithms (not supported: must be empty).");
  flags.String("ssh-hostkey-algos", &ssh_hostkey_algos, "Ordered SSH host-key algorithms (not supported: must be empty).");
  // fluxcpp extensions (no Flux equivalent).
  flags.String("git-cache-path", &git_cache_path,
               "Directory of the persistent Git fetch caches (one bare repository per GitRepository); "
               "empty disables caching.");
  flags.Int("git-max-fetch-size", &git_max_fetch_size,
              "Maximum bytes fetched for one GitRepository revision; larger repositories fail with "
              "GitOperationFailed (0 = no limit).");

  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    if (s.code() == absl::StatusCode::kCancelled) return 0;
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  Logger log({{"logger", "setup"}});
  if (absl::Status s = runtime::FinalizeOptions(manager_options, {{"CacheSecretsAndConfigMaps", false},
                                                                   {"ObjectLevelWorkloadIdentity", false},
                                                                   {"OptimizedGitClones", true}});
      !s.ok()) {
    return Fail(log, "invalid flags", s);
  }
  if (!ssh_kex_algos.empty() || !ssh_hostkey_algos.empty()) {
    return Fail(log, "invalid flags",
                absl::InvalidArgumentError("--ssh-kex-algos and --ssh-hostkey-algos are not supported by this "
                                           "source-controller (libgit2 1.5 cannot restrict SSH algorithms)"));
  }
  if (!default_service_account.empty() && !manager_options.FeatureEnabled("ObjectLevelWorkloadIdentity")) {
    return Fail(log, "invalid flags",
                absl::InvalidArgumentError("--default-service-account requires the ObjectLevelWorkloadIdentity "
                                           "feature gate (inconsistent configuration)"));
  }
  if (helm_index_max_size <= 0 || helm_chart_max_size <= 0 || helm_chart_file_max_size <= 0 ||
      helm_cache_max_size < 0 || token_cache_max_size < 0) {
    return Fail(log, "invalid flags", absl::InvalidArgumentError("--helm-*-size must be positive and --*-cache-max-size not negative"));
  }
  manager_options.leader_election_id = runtime::LeaderElectionId("source-controller", manager_options.watch_label_selector);

  auto advertised = artifact::AdvertisedAddress(storage_addr, storage_adv_addr);
  if (!advertised.ok()) return Fail(log, "invalid --storage-addr", advertised.status());
  auto storage = artifact::Storage::Create({storage_path, *advertised, digest_algo});
  if (!storage.ok()) return Fail(log, "unable to initialise storage", storage.status());

  auto manager = runtime::Manager::Create(manager_options);
  if (!manager.ok()) return Fail(log, "unable to create manager", manager.status());

  // As in Flux, only the elected leader serves artifacts: a standby's storage
  // may be stale. A server that cannot bind stops the process (exit 1).
  artifact::FileServer file_server((*storage)->root());
  std::atomic<bool> file_server_failed{false};
  runtime::Manager* manager_ptr = manager->get();
  manager_ptr->OnStartedLeading([&, manager_ptr] {
    if (absl::Status s = file_server.Start(storage_addr); !s.ok()) {
      log.Error("unable to start file server", {{"addr", storage_addr}, {"error", std::string(s.message())}});
      file_server_failed = true;
      manager_ptr->RequestStop();
      return;
    }
    log.Info("artifact server started", {{"addr", storage_addr}, {"advertised", *advertised}});
  });

  std::unique_ptr<rpc::ArtifactHub> hub;
  if (!artifact_grpc_addr.empty()) {
    auto started = rpc::ArtifactHub::Start(artifact_grpc_addr);
    if (!started.ok()) return Fail(log, "unable to start ArtifactService", started.status());
    hub = std::move(*started);
    log.Info("ArtifactService started", {{"addr", artifact_grpc_addr}});
  }

  std::unique_ptr<rpc::EventPublisher> publisher;
  runtime::EventRecorderOptions recorder_options;
  recorder_options.controller_name = "source-controller";
  if (!manager_options.events_addr.empty()) {
    auto created = rpc::EventPublisher::Create(manager_options.events_addr);
    if (!created.ok()) return Fail(log, "invalid --events-addr", created.status());
    publisher = std::move(*created);
    recorder_options.sink = rpc::ForwardTo(*publisher);
  }
  runtime::EventRecorder recorder((*manager)->client(), recorder_options);

  source::GitRepositoryOptions git_options;
  git_options.artifact_retention_ttl = retention_ttl;
  git_options.artifact_retention_records = retention_records;
  git_options.requeue_dependency = requeue_dependency;
  git_options.tmp_dir = EnvOr("TMPDIR", "/tmp");
  git_options.git_cache_dir = git_cache_path;
  git_options.git_max_fetch_bytes = git_max_fetch_size;
  const kube::GroupVersionKind gvk{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
  runtime::Controller& git_controller = (*manager)->AddController(
      (*manager)->ControllerDefaults("gitrepository", gvk),
      std::make_unique<source::GitRepositoryReconciler>(&(*manager)->client(), storage->get(), hub.get(), &recorder,
                                                        git_options));
  // A new artifact of an included GitRepository re-triggers its includers.
  git_controller.Watch(
      git_controller.shared_informer(),
      [&git_controller](const object::Value& changed) {
        std::vector<runtime::Request> out;
        const std::string ns = object::GetString(changed, {"metadata", "namespace"});
        const std::string name = object::GetString(changed, {"metadata", "name"});
        for (const auto& o : git_controller.informer().ListNamespace(ns)) {
          if (source::GitRepositoryReconciler::Includes(*o, name))
            out.push_back({ns, object::GetString(*o, {"metadata", "name"})});
        }
        return out;
      },
      [](const object::Value& old_obj, const object::Value& new_obj) {
        return object::GetString(old_obj, {"status", "artifact", "digest"}) !=
               object::GetString(new_obj, {"status", "artifact", "digest"});
      });

  absl::Status run = (*manager)->Run();
  recorder.Flush(std::chrono::seconds(5));
  if (publisher) publisher->Flush(2000);
  if (hub) hub->Shutdown();
  file_server.Stop();
  if (!run.ok()) return Fail(log, "manager exited with an error", run);
  return file_server_failed ? 1 : 0;
}
