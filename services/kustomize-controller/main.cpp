// kustomize-controller: Kustomization → kustomize build → post-build
// substitution → staged server-side apply → prune → health. Reacts to new
// artifacts through the Kubernetes watch on sources and, when
// --source-grpc-addr is set, at once through gRPC; to ConfigMaps/Secrets
// labelled for watching (--watch-configs-label-selector) that a
// Kustomization substitutes from or reads its kubeconfig from.

#include <cstdio>
#include <memory>
#include <mutex>

#include "absl/strings/str_split.h"
#include "libs/core/flags.h"
#include "libs/core/logger.h"
#include "libs/rpc/artifact_watcher.h"
#include "libs/rpc/event_publisher.h"
#include "libs/rpc/event_sink.h"
#include "libs/runtime/events.h"
#include "libs/runtime/index.h"
#include "libs/runtime/manager.h"
#include "libs/runtime/options.h"
#include "services/kustomize-controller/kustomization_reconciler.h"
#include "services/kustomize-controller/post_build.h"
#include "services/kustomize-controller/source_resolver.h"

using namespace fluxcpp;
namespace kc = fluxcpp::kustomize_controller;

namespace {

int Fail(const Logger& log, const std::string& what, const absl::Status& status) {
  log.Error(what, {{"error", std::string(status.message())}});
  return 1;
}

runtime::Request RequestOf(const object::Value& ks) {
  return {object::GetString(ks, {"metadata", "namespace"}), object::GetString(ks, {"metadata", "name"})};
}

// Informer index of Kustomizations by spec.sourceRef (namespace defaulted).
constexpr char kSourceRefIndex[] = "sourceRef";

// Kustomizations (from the controller's cache) that use the given source.
std::vector<runtime::Request> ConsumersOf(runtime::Informer& kustomizations, const kc::SourceRef& source) {
  std::vector<runtime::Request> out;
  auto users =
      kustomizations.ByIndex(kSourceRefIndex, runtime::ReferenceIndexValue(source.kind, source.ns, source.name));
  if (!users.ok()) return out;  // the index is added in main() before anything runs
  for (const auto& ks : *users) out.push_back(RequestOf(*ks));
  return out;
}

// Informer index of Kustomizations by the ConfigMaps and Secrets of their
// namespace they read: postBuild.substituteFrom and spec.kubeConfig refs.
constexpr char kConfigRefIndex[] = "configRef";

std::vector<std::string> ConfigRefsOf(const object::Value& ks) {
  const std::string ns = object::GetString(ks, {"metadata", "namespace"});
  std::vector<std::string> out;
  for (const auto& ref : kc::SubstitutionSources(ks)) {  // "Kind/name"
    size_t slash = ref.find('/');
    if (slash != std::string::npos) {
      out.push_back(runtime::ReferenceIndexValue(ref.substr(0, slash), ns, ref.substr(slash + 1)));
    }
  }
  if (std::string n = object::GetString(ks, {"spec", "kubeConfig", "secretRef", "name"}); !n.empty()) {
    out.push_back(runtime::ReferenceIndexValue("Secret", ns, n));
  }
  if (std::string n = object::GetString(ks, {"spec", "kubeConfig", "configMapRef", "name"}); !n.empty()) {
    out.push_back(runtime::ReferenceIndexValue("ConfigMap", ns, n));
  }
  return out;
}

// Kustomizations in the object's namespace that read it through
// postBuild.substituteFrom or spec.kubeConfig.secretRef.
std::vector<runtime::Request> ConfigConsumersOf(runtime::Informer& kustomizations, const std::string& kind,
                                                const object::Value& config) {
  std::vector<runtime::Request> out;
  auto users = kustomizations.ByIndex(
      kConfigRefIndex, runtime::ReferenceIndexValue(kind, object::GetString(config, {"metadata", "namespace"}),
                                                    object::GetString(config, {"metadata", "name"})));
  if (!users.ok()) return out;  // the index is added in main() before anything runs
  for (const auto& ks : *users) out.push_back(RequestOf(*ks));
  return out;
}

// A source update matters when its artifact revision changed (or appeared).
bool ArtifactRevisionChanged(const object::Value& old_obj, const object::Value& new_obj) {
  return object::GetString(old_obj, {"status", "artifact", "revision"}) !=
         object::GetString(new_obj, {"status", "artifact", "revision"});
}

bool ResourceVersionChanged(const object::Value& old_obj, const object::Value& new_obj) {
  return object::GetString(old_obj, {"metadata", "resourceVersion"}) !=
         object::GetString(new_obj, {"metadata", "resourceVersion"});
}

}  // namespace

int main(int argc, char** argv) {
  FlagSet flags("kustomize-controller");
  runtime::ManagerOptions manager_options;
  runtime::RegisterCommonFlags(flags, manager_options);
  kc::KustomizationOptions options;
  Duration requeue_dependency = std::chrono::seconds(30);
  std::string source_grpc_addr;
  std::string custom_stage_kinds;
  std::string watch_configs_selector = "reconcile.fluxcd.io/watch=Enabled";
  std::string unused_string;
  flags.DurationFlag("requeue-dependency", &requeue_dependency,
                     "The interval at which failing dependencies are reevaluated.");
  flags.Int("http-retry", &options.http_retry, "The maximum number of retries when failing to fetch artifacts over HTTP.");
  flags.Bool("no-cross-namespace-refs", &options.no_cross_namespace_refs,
             "When set to true, references between custom resources are allowed only if the reference and the referee are in the same namespace.");
  flags.Bool("no-remote-bases", &options.no_remote_bases,
             "Disallow remote bases usage in Kustomize overlays. When this flag is enabled, all resources must refer to local files included in the source artifact.");
  flags.String("default-service-account", &options.default_service_account,
               "Default service account used for impersonation.");
  flags.Int("concurrent-ssa", &options.concurrent_ssa, "The number of concurrent server-side apply operations.");
  flags.StringList("override-manager", &options.override_managers,
                   "Field manager disallowed to perform changes on managed resources.");
  flags.String("custom-apply-stage-kinds", &custom_stage_kinds,
               "Comma-separated list of kinds (group/Kind, Kind for the core group) applied in a stage after cluster definitions and classes.");
  flags.Bool("insecure-kubeconfig-tls", &options.insecure_kubeconfig_tls,
             "Allow that kubeconfigs provided for remote apply can disable TLS verification.");
  flags.String("watch-configs-label-selector", &watch_configs_selector,
               "Watch for ConfigMaps and Secrets with matching labels.");
  flags.String("default-decryption-service-account", &unused_string,
               "Default service account for SOPS KMS workload identity (decryption is not available yet).");
  flags.String("default-kubeconfig-service-account", &options.default_kubeconfig_service_account,
               "Default service account used for kubeconfig (spec.kubeConfig.configMapRef without data.serviceAccountName; needs the ObjectLevelWorkloadIdentity feature gate).");
  flags.String("sops-age-secret", &unused_string, "Global age key Secret (decryption is not available yet).");
  flags.String("sops-vault-configmap", &unused_string, "Vault instance ConfigMap (decryption is not available yet).");
  int token_cache_max_size = 100;
  flags.Int("token-cache-max-size", &token_cache_max_size,
            "Maximum number of workload-identity tokens cached (spec.kubeConfig.configMapRef); 0 disables the cache.");
  flags.DurationFlag("token-cache-max-duration", &options.token_cache_max_duration,
                     "The maximum duration a workload-identity token is cached.");
  flags.String("source-grpc-addr", &source_grpc_addr,
               "host:port of source-controller's gRPC ArtifactService for immediate artifact notices (empty: Kubernetes watch only).");
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    if (s.code() == absl::StatusCode::kCancelled) return 0;
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  options.requeue_dependency = requeue_dependency;
  // --insecure-kubeconfig-exec is a common flag (libs/runtime/options.cpp).
  options.insecure_kubeconfig_exec = manager_options.insecure_kubeconfig_exec;
  options.tmp_dir = EnvOr("TMPDIR", "/tmp");
  for (absl::string_view item : absl::StrSplit(custom_stage_kinds, ',', absl::SkipWhitespace())) {
    std::string text(item);
    size_t slash = text.rfind('/');
    if (slash == std::string::npos) {
      options.custom_stage_kinds.emplace_back("", text);
    } else {
      options.custom_stage_kinds.emplace_back(text.substr(0, slash), text.substr(slash + 1));
    }
  }
  Logger log({{"logger", "setup"}});
  const std::map<std::string, bool> known_gates = {
      {kc::kStrictPostBuildSubstitutions, true}, {"DisableStatusPollerCache", true},
      {kc::kDisableFailFastBehavior, false},     {kc::kCancelHealthCheckOnNewRevision, false},
      {kc::kAdditiveCELDependencyCheck, false},     {kc::kExternalArtifact, false},
      {"DirectSourceFetch", false},              {kc::kDisableConfigWatchers, false},
      {"CacheSecretsAndConfigMaps", false},      {"GroupChangeLog", false},
      {"MigrateAPIVersion", false},              {"ObjectLevelWorkloadIdentity", false}};
  if (absl::Status s = runtime::FinalizeOptions(manager_options, known_gates); !s.ok()) {
    return Fail(log, "invalid flags", s);
  }
  manager_options.leader_election_id = runtime::LeaderElectionId("kustomize-controller", manager_options.watch_label_selector);
  options.strict_substitution = manager_options.FeatureEnabled(kc::kStrictPostBuildSubstitutions);
  options.fail_fast = !manager_options.FeatureEnabled(kc::kDisableFailFastBehavior);
  options.cancel_health_check_on_new_revision = manager_options.FeatureEnabled(kc::kCancelHealthCheckOnNewRevision);
  options.external_artifact = manager_options.FeatureEnabled(kc::kExternalArtifact);
  options.object_level_workload_identity = manager_options.FeatureEnabled(kc::kObjectLevelWorkloadIdentity);
  options.group_change_log = manager_options.FeatureEnabled(kc::kGroupChangeLog);
  options.migrate_api_version = manager_options.FeatureEnabled(kc::kMigrateAPIVersion);
  options.additive_cel_dependency_check = manager_options.FeatureEnabled(kc::kAdditiveCELDependencyCheck);
  if (!manager_options.FeatureEnabled(kc::kDisableStatusPollerCache)) {
    // See README.md (feature gates): health checks always read from the API server here.
    log.Info("DisableStatusPollerCache=false has no effect: health checks read each object from the API server "
             "once per poll and release the worker in between, so there is no status poller cache to enable");
  }
  options.token_cache_max_size = token_cache_max_size > 0 ? static_cast<size_t>(token_cache_max_size) : 0;
  if (options.concurrent_ssa < 1) options.concurrent_ssa = 1;

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
  auto reconciler = std::make_unique<kc::KustomizationReconciler>(&(*manager)->client(), &recorder, options);
  kc::CachedReader& reader = reconciler->reader();
  runtime::Controller& controller =
      (*manager)->AddController((*manager)->ControllerDefaults("kustomization", gvk), std::move(reconciler));
  runtime::Informer& kustomizations = controller.informer();
  for (auto [index, fn] : {std::pair<const char*, runtime::IndexFunc>{kSourceRefIndex,
                                                                      runtime::IndexByReference({"spec", "sourceRef"})},
                           {kConfigRefIndex, ConfigRefsOf}}) {
    if (absl::Status s = kustomizations.AddIndexer(index, std::move(fn)); !s.ok()) {
      return Fail(log, "cannot index Kustomizations", s);
    }
  }
  // Reconciles read their Kustomization and its source from these caches.
  reader.SetKustomizations(&kustomizations);

  // Source watches, for the source kinds this cluster serves.
  std::vector<std::string> source_kinds = {"GitRepository", "OCIRepository", "Bucket"};
  if (options.external_artifact) source_kinds.push_back("ExternalArtifact");
  for (const std::string& kind : source_kinds) {
    kube::GroupVersionKind source_gvk{"source.toolkit.fluxcd.io", "v1", kind};
    if (!(*manager)->client().Mapping(source_gvk).ok()) {
      log.Info("source kind not served, not watching it", {{"kind", kind}});
      continue;
    }
    reader.SetSource(kind, controller.Watch(
                               source_gvk,
                               [&kustomizations, kind](const object::Value& src) {
                                 return ConsumersOf(kustomizations,
                                                    {kind, object::GetString(src, {"metadata", "namespace"}),
                                                     object::GetString(src, {"metadata", "name"})});
                               },
                               ArtifactRevisionChanged));
  }

  // ConfigMap / Secret watches (label-selected) for substituteFrom and kubeConfig.
  if (!manager_options.FeatureEnabled(kc::kDisableConfigWatchers)) {
    for (const char* kind : {"ConfigMap", "Secret"}) {
      controller.Watch(
          kube::GroupVersionKind{"", "v1", kind},
          [&kustomizations, kind](const object::Value& config) {
            return ConfigConsumersOf(kustomizations, kind, config);
          },
          ResourceVersionChanged, "", watch_configs_selector);
    }
  }

  std::unique_ptr<rpc::ArtifactWatcher> artifact_watcher;
  if (!source_grpc_addr.empty()) {
    artifact_watcher = rpc::ArtifactWatcher::Start(
        source_grpc_addr, {"GitRepository", "OCIRepository", "Bucket"},
        [&](const rpc::SourceRef& src, const rpc::ArtifactInfo& artifact) {
          for (const auto& req : ConsumersOf(kustomizations, {src.kind, src.ns, src.name})) {
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
