#include "services/kustomize-controller/kustomization_reconciler.h"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/artifact/fetcher.h"
#include "libs/core/digest.h"
#include "libs/core/duration.h"
#include "libs/core/logger.h"
#include "libs/core/scoped_temp_dir.h"
#include "libs/core/path_safety.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/build.h"
#include "libs/runtime/conditions.h"
#include "libs/runtime/finalizers.h"
#include "libs/runtime/status_patcher.h"
#include "libs/ssa/resource_manager.h"
#include "services/kustomize-controller/applier_client.h"
#include "services/kustomize-controller/cel_expressions.h"
#include "services/kustomize-controller/change_log.h"
#include "services/kustomize-controller/dependency_checker.h"
#include "services/kustomize-controller/drift_ignore.h"
#include "services/kustomize-controller/finalizer.h"
#include "services/kustomize-controller/history.h"
#include "services/kustomize-controller/manifest_builder.h"
#include "services/kustomize-controller/post_build.h"

namespace fluxcpp::kustomize_controller {
namespace {

namespace cond = runtime::conditions;
using runtime::Result;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kFinalizer = "finalizers.fluxcd.io";
const std::string kGroup = "kustomize.toolkit.fluxcd.io";
const std::string kRevisionKey = "kustomize.toolkit.fluxcd.io/revision";
const std::string kOriginRevisionKey = "kustomize.toolkit.fluxcd.io/originRevision";
const std::string kCommitStatusKey = "kustomize.toolkit.fluxcd.io/commit_status";
const kube::GroupVersionKind kKustomizationGvk{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};

// Effective timeout: spec.timeout, else interval - 30s; never below 30s (spec §10.1).
Duration EffectiveTimeout(const object::Value& obj, Duration interval) {
  Duration t = interval - std::chrono::seconds(30);
  if (auto spec = ParseGoDuration(object::GetString(obj, {"spec", "timeout"})); spec.ok()) t = *spec;
  return std::max<Duration>(t, std::chrono::seconds(30));
}

std::string Took(Clock::time_point since) {
  return FormatGoDuration(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since));
}

std::map<std::string, std::string> EventMeta(const std::string& revision, const std::string& origin) {
  std::map<std::string, std::string> meta{{kRevisionKey, revision}};
  if (!origin.empty()) meta[kOriginRevisionKey] = origin;
  return meta;
}

// Subjects of Jobs with ttlSecondsAfterFinished among `objects`.
std::set<std::string> JobsWithTtl(const std::vector<object::Value>& objects) {
  std::set<std::string> out;
  for (const auto& o : objects) {
    if (object::GetString(o, {"kind"}) == "Job" && object::Find(o, {"spec", "ttlSecondsAfterFinished"}) != nullptr) {
      out.insert(ssa::ObjectRef::Of(o).Subject());
    }
  }
  return out;
}

}  // namespace

KustomizationReconciler::KustomizationReconciler(kube::Client* client, runtime::EventRecorder* events,
                                                 KustomizationOptions options)
    : client_(client), events_(events), options_(std::move(options)), reader_(client),
      tokens_(options_.token_cache_max_size,
              std::chrono::duration_cast<std::chrono::seconds>(options_.token_cache_max_duration)) {
  if (options_.artifact_cache_size > 0) {
    constexpr const char* kCachePrefix = "kustomize-controller-artifacts-";
    ArtifactCache::RemoveStaleRoots(options_.tmp_dir, kCachePrefix);
    artifacts_ = std::make_unique<ArtifactCache>(absl::StrCat(options_.tmp_dir, "/", kCachePrefix, getpid()),
                                                 options_.artifact_cache_size);
  }
}

Result KustomizationReconciler::Reconcile(const runtime::Request& request, runtime::ReconcileContext& ctx) {
  const auto started = Clock::now();
  const std::string key = request.Key();
  auto fetched = reader_.GetKustomization(kKustomizationGvk, request.ns, request.name);
  if (!fetched.ok()) {
    if (fetched.status().code() == absl::StatusCode::kNotFound) {
      waits_.Erase(key);
      reader_.Remember(key, "");
      return {};
    }
    return Result::Error(fetched.status());
  }
  object::Value obj = std::move(*fetched);
  // Whatever this run writes, the next run must not trust an older cached copy.
  struct RememberVersion {
    CachedReader& reader;
    const std::string& key;
    const object::Value& obj;
    ~RememberVersion() { reader.Remember(key, object::GetString(obj, {"metadata", "resourceVersion"})); }
  } remember_version{reader_, key, obj};
  runtime::StatusPatcher patcher(*client_, obj, {"gotk-kustomize-controller"});

  auto interval = ParseGoDuration(object::GetString(obj, {"spec", "interval"}, "10m"));
  if (!interval.ok()) interval = std::chrono::minutes(10);
  Duration retry_interval = *interval;
  if (auto r = ParseGoDuration(object::GetString(obj, {"spec", "retryInterval"})); r.ok()) retry_interval = *r;
  const Duration timeout = EffectiveTimeout(obj, *interval);
  const std::string timeout_text = FormatGoDuration(timeout);

  // Deletion: garbage collect the inventory per deletionPolicy, then drop the finalizer.
  if (object::Find(obj, {"metadata", "deletionTimestamp"}) != nullptr) {
    waits_.Erase(key);
    if (!runtime::HasFinalizer(obj, kFinalizer)) return {};
    return Result{std::nullopt, FinalizeKustomization(*client_, obj, *events_, options_, timeout)};
  }
  if (!runtime::HasFinalizer(obj, kFinalizer)) {
    // As Flux: add the finalizer and come back. The finalizer's own watch
    // event re-enqueues the key (the update predicate passes finalizer
    // changes) once the informer cache holds it, so with a cache that event
    // is the way back: the next run then reads the cache, not the API.
    // Without one, come back at once.
    if (absl::Status s = runtime::AddFinalizer(*client_, obj, kFinalizer); !s.ok()) return Result::Error(s);
    if (reader_.caches_kustomizations()) return Result{};
    return Result::RequeueAfter(Duration::zero());
  }

  if (object::GetBool(obj, {"spec", "suspend"})) {
    waits_.Erase(key);
    ctx.logger().Info("Reconciliation is suspended for this object");
    return Result{std::nullopt, patcher.Patch(obj, runtime::PatchOptions{})};
  }

  // Every exit goes through here: Ready derivation, Reconciling cleanup, one status patch.
  auto finish = [&](Result result) -> Result {
    runtime::PatchOptions patch_options;
    if (cond::IsTrue(obj, runtime::kReadyCondition)) {
      cond::Remove(obj, runtime::kReconcilingCondition);
      cond::Remove(obj, runtime::kStalledCondition);
      patch_options.set_observed_generation = true;
    } else if (auto r = cond::Get(obj, runtime::kReconcilingCondition)) {
      if (!cond::IsUnknown(obj, runtime::kReadyCondition)) {
        cond::MarkReconciling(obj, runtime::kProgressingWithRetryReason, r->message);
      }
    }
    if (cond::IsTrue(obj, runtime::kStalledCondition)) patch_options.set_observed_generation = true;
    if (absl::Status s = patcher.Patch(obj, patch_options); !s.ok() && result.error.ok()) return Result::Error(s);
    return result;
  };
  auto not_ready = [&](std::string_view reason, const std::string& message, Result result,
                       const std::map<std::string, std::string>& meta = {}) -> Result {
    cond::MarkFalse(obj, runtime::kReadyCondition, reason, message);
    events_->Warning(obj, reason, message, meta);
    return finish(result);
  };

  // Features that come with their own engines later fail clearly instead of being skipped.
  if (object::Find(obj, {"spec", "decryption"}) != nullptr) {
    waits_.Erase(key);
    return not_ready(runtime::kBuildFailedReason,
                     "spec.decryption: SOPS decryption is not available in this version of kustomize-controller",
                     Result::RequeueAfter(retry_interval));
  }
  // CEL expressions (healthCheckExprs, dependsOn[].readyExpr): a compile error is terminal.
  auto health_exprs = HealthExpressions::Compile(obj);
  absl::Status exprs_valid = health_exprs.ok() ? ValidateReadyExprs(obj) : health_exprs.status();
  if (!exprs_valid.ok()) {
    waits_.Erase(key);
    std::string msg = absl::StrCat("Reconciliation failed terminally due to configuration error: ",
                                   std::string(exprs_valid.message()));
    cond::MarkStalled(obj, runtime::kInvalidCELExpressionReason, msg);
    return not_ready(runtime::kInvalidCELExpressionReason, msg, Result{});
  }

  // spec.kubeConfig must name exactly one source of credentials: a spec error, retried only on change.
  if (absl::Status s = ValidateKubeConfigRef(obj); !s.ok()) {
    waits_.Erase(key);
    cond::MarkStalled(obj, runtime::kReconciliationFailedReason, std::string(s.message()));
    return not_ready(runtime::kReconciliationFailedReason, std::string(s.message()), Result{});
  }

  // Source.
  ResolvedSource source = ResolveSource(
      [this](const kube::GroupVersionKind& gvk, const std::string& ns, const std::string& name) {
        return reader_.GetSource(gvk, ns, name);
      },
      obj, options_);
  switch (source.outcome) {
    case ResolvedSource::Outcome::kReady:
      break;
    case ResolvedSource::Outcome::kAccessDenied:
      waits_.Erase(key);
      cond::MarkStalled(obj, runtime::kAccessDeniedReason, source.message);
      return not_ready(runtime::kAccessDeniedReason, source.message, Result{});
    case ResolvedSource::Outcome::kNotFound:
      waits_.Erase(key);
      return not_ready(runtime::kArtifactFailedReason, source.message, Result::RequeueAfter(retry_interval));
    case ResolvedSource::Outcome::kNoArtifact:
      waits_.Erase(key);
      cond::MarkFalse(obj, runtime::kReadyCondition, runtime::kArtifactFailedReason, source.message);
      ctx.logger().Info(source.message);
      return finish(Result::RequeueAfterExact(options_.requeue_dependency));
    case ResolvedSource::Outcome::kError:
      return finish(Result::Error(absl::UnavailableError(source.message)));
  }
  const std::string& revision = source.revision;
  const std::string& origin_revision = source.origin_revision;
  const int64_t generation = object::GetInt(obj, {"metadata", "generation"});

  // The client that applies: remote cluster and/or impersonated tenant.
  auto applier = BuildApplierClient(*client_, obj, options_, &tokens_);
  if (!applier.ok()) {
    waits_.Erase(key);
    return not_ready(runtime::kReconciliationFailedReason, std::string(applier.status().message()),
                     Result::RequeueAfter(retry_interval));
  }

  // Success: Ready=True, history, events.
  auto succeed = [&](const std::string& digest, Clock::time_point run_started, bool changed, bool had_health,
                     Clock::time_point checks_started) -> Result {
    waits_.Erase(key);
    const bool was_ready = cond::IsTrue(obj, runtime::kReadyCondition);
    object::Ensure(obj, {"status", "lastAppliedRevision"}) = revision;
    if (!origin_revision.empty()) object::Ensure(obj, {"status", "lastAppliedOriginRevision"}) = origin_revision;
    if (had_health) {
      bool was_healthy = cond::IsTrue(obj, runtime::kHealthyCondition);
      std::string msg = absl::StrCat("Health check passed in ", Took(checks_started));
      cond::MarkTrue(obj, runtime::kHealthyCondition, runtime::kSucceededReason, msg);
      if (!was_healthy || changed) events_->Normal(obj, runtime::kSucceededReason, msg, EventMeta(revision, origin_revision));
    } else {
      cond::Remove(obj, runtime::kHealthyCondition);
    }
    Duration took = Clock::now() - run_started;
    RecordHistory(obj, digest, revision, origin_revision, std::string(runtime::kReconciliationSucceededReason), took);
    cond::MarkTrue(obj, runtime::kReadyCondition, runtime::kReconciliationSucceededReason,
                   absl::StrCat("Applied revision: ", revision));
    if (changed || !was_ready || had_health) {
      auto meta = EventMeta(revision, origin_revision);
      meta[kCommitStatusKey] = "update";
      events_->Normal(obj, runtime::kReconciliationSucceededReason,
                      absl::StrCat("Reconciliation finished in ", Took(run_started), ", next run in ",
                                   FormatGoDuration(*interval)),
                      meta);
    }
    return finish(Result::RequeueAfter(*interval));
  };

  // One round of health reading for a pending wait: success, failure, or requeue.
  auto evaluate_health = [&](const HealthWait& wait) -> Result {
    kstatus::HealthSummary summary = ReadHealth(*applier->client, wait.targets, wait.jobs_with_ttl, &*health_exprs);
    const bool timed_out = Clock::now() >= wait.deadline;
    if (summary.all_current) {
      return succeed(wait.build_digest, wait.started, wait.changed, true, wait.checks_started);
    }
    if (timed_out || kstatus::ShouldStopWaiting(summary, options_.fail_fast)) {
      absl::Status outcome = kstatus::WaitOutcome(summary, timed_out);
      if (outcome.ok()) return succeed(wait.build_digest, wait.started, wait.changed, true, wait.checks_started);
      waits_.Erase(key);
      std::string msg = absl::StrCat("health check failed after ", Took(wait.checks_started), ": ",
                                     std::string(outcome.message()));
      cond::MarkFalse(obj, runtime::kHealthyCondition, runtime::kHealthCheckFailedReason, msg);
      RecordHistory(obj, wait.build_digest, revision, origin_revision,
                    std::string(runtime::kHealthCheckFailedReason), Clock::now() - wait.started);
      return not_ready(runtime::kHealthCheckFailedReason, msg, Result::RequeueAfter(retry_interval),
                       EventMeta(revision, origin_revision));
    }
    // Still in progress: release the worker and look again shortly.
    std::string msg = absl::StrCat("Running health checks for revision ", revision, " with a timeout of ", timeout_text);
    cond::MarkReconciling(obj, runtime::kProgressingReason, msg);
    cond::MarkUnknown(obj, runtime::kHealthyCondition, runtime::kProgressingReason, msg);
    cond::MarkUnknown(obj, runtime::kReadyCondition, runtime::kProgressingReason, "Reconciliation in progress");
    Duration left = std::chrono::duration_cast<Duration>(wait.deadline - Clock::now());
    return finish(Result::RequeueAfter(std::max<Duration>(std::min(options_.health_poll_interval, left),
                                                          std::chrono::milliseconds(100))));
  };

  // A pending health wait at this revision and generation: only re-read health.
  if (auto wait = waits_.Get(key)) {
    if (wait->revision == revision && wait->generation == generation) return evaluate_health(*wait);
    waits_.Erase(key);
    std::string msg = absl::StrCat("New reconciliation triggered by ",
                                   wait->revision != revision ? SourceRefOf(obj).String() : "a spec change",
                                   ", health check for revision ", wait->revision, " cancelled");
    ctx.logger().Info(msg);
    events_->Normal(obj, runtime::kHealthCheckCanceledReason, msg, EventMeta(revision, origin_revision));
  }

  // Dependencies (spec §10.13).
  if (absl::Status deps = CheckDependencies(*client_, obj, revision, options_.additive_cel_dependency_check);
      !deps.ok()) {
    cond::MarkFalse(obj, runtime::kReadyCondition, runtime::kDependencyNotReadyReason, std::string(deps.message()));
    events_->Normal(obj, runtime::kDependencyNotReadyReason,
                    absl::StrCat("Dependencies do not meet ready condition, retrying in ",
                                 FormatGoDuration(options_.requeue_dependency)));
    ctx.logger().Info(std::string(deps.message()));
    return finish(Result::RequeueAfterExact(options_.requeue_dependency));
  }
  if (object::Find(obj, {"spec", "dependsOn"}) != nullptr) {
    ctx.logger().Info("All dependencies are ready, proceeding with reconciliation");
  }

  cond::MarkReconciling(obj, runtime::kProgressingReason,
                        absl::StrCat("Fetching manifests for revision ", revision, " with a timeout of ", timeout_text));
  cond::MarkUnknown(obj, runtime::kReadyCondition, runtime::kProgressingReason, "Reconciliation in progress");
  (void)patcher.PatchNow(obj);

  auto tmp = ScopedTempDir::Create(options_.tmp_dir, "kustomization-");
  if (!tmp.ok()) {
    return not_ready("DirectoryCreationFailed", std::string(tmp.status().message()), Result::RequeueAfter(retry_interval));
  }
  artifact::FetchOptions fetch_options;
  fetch_options.retries = options_.http_retry;
  const std::string artifact_url =
      artifact::ArtifactUrlWithLocalhostOverride(object::GetString(source.artifact, {"url"}));
  const std::string artifact_digest = object::GetString(source.artifact, {"digest"});
  absl::Status fetched_artifact =
      artifacts_ != nullptr ? artifacts_->Materialize(artifact_url, artifact_digest, tmp->path(), fetch_options)
                            : artifact::FetchArtifact(artifact_url, artifact_digest, tmp->path(), fetch_options);
  if (!fetched_artifact.ok()) {
    if (fetched_artifact.code() == absl::StatusCode::kNotFound) {
      std::string msg = absl::StrCat("Source is not ready, artifact not found, retrying in ",
                                     FormatGoDuration(options_.requeue_dependency));
      cond::MarkFalse(obj, runtime::kReadyCondition, runtime::kArtifactFailedReason, msg);
      return finish(Result::RequeueAfterExact(options_.requeue_dependency));
    }
    return not_ready(runtime::kArtifactFailedReason, std::string(fetched_artifact.message()),
                     Result::RequeueAfter(retry_interval));
  }

  auto dir = SecureJoin(tmp->path(), object::GetString(obj, {"spec", "path"}));
  if (!dir.ok() || !std::filesystem::is_directory(*dir)) {
    return not_ready(runtime::kArtifactFailedReason,
                     absl::StrCat("kustomization path not found: stat ", dir.ok() ? *dir : tmp->path(),
                                  ": no such file or directory"),
                     Result::RequeueAfter(retry_interval));
  }
  object::Ensure(obj, {"status", "lastAttemptedRevision"}) = revision;

  // Build, then post-build substitution.
  cond::MarkReconciling(obj, runtime::kProgressingReason,
                        absl::StrCat("Building manifests for revision ", revision, " with a timeout of ", timeout_text));
  auto build_failed = [&](const absl::Status& s) {
    return not_ready(runtime::kBuildFailedReason, std::string(s.message()), Result::RequeueAfter(retry_interval),
                     EventMeta(revision, origin_revision));
  };
  auto built = BuildManifests(tmp->path(), *dir, obj, options_.no_remote_bases);
  if (!built.ok()) return build_failed(built.status());
  if (object::Find(obj, {"spec", "postBuild"}) != nullptr) {
    auto vars = CollectVariables(*client_, obj);
    if (!vars.ok()) return build_failed(vars.status());
    if (absl::Status s = SubstituteAll(obj, *vars, options_.strict_substitution, *built); !s.ok()) {
      return build_failed(s);
    }
  }
  auto ignore = CompileIgnoreRules(obj);
  if (!ignore.ok()) return build_failed(ignore.status());
  const std::string build_digest = Sha256Digest(kustomize::ToYaml(*built));

  // Apply.
  cond::MarkReconciling(obj, runtime::kProgressingReason,
                        absl::StrCat("Detecting drift for revision ", revision, " with a timeout of ", timeout_text));
  ssa::Owner owner{"kustomize-controller", absl::StrCat(kGroup, "/name"), absl::StrCat(kGroup, "/namespace"),
                   request.name, request.ns, kGroup};
  ssa::ResourceManager manager(*applier->client, owner);
  ssa::ApplyOptions apply_options;
  apply_options.force = object::GetBool(obj, {"spec", "force"});
  apply_options.concurrency = options_.concurrent_ssa;
  apply_options.override_managers = options_.override_managers;
  apply_options.custom_stage_kinds = options_.custom_stage_kinds;
  apply_options.ignore_paths = *ignore;
  apply_options.migrate_api_version = options_.migrate_api_version;
  const std::set<std::string> jobs_with_ttl = JobsWithTtl(*built);
  auto applied = manager.ApplyAllStaged(std::move(*built), apply_options);
  if (!applied.ok()) {
    RecordHistory(obj, build_digest, revision, origin_revision, std::string(runtime::kReconciliationFailedReason),
                  Clock::now() - started);
    return not_ready(runtime::kReconciliationFailedReason, std::string(applied.status().message()),
                     Result::RequeueAfter(retry_interval), EventMeta(revision, origin_revision));
  }
  if (!applied->entries.empty()) {
    ctx.logger().Info("server-side apply completed",
                      {{"output", ChangeSetLogOutput(*applied, options_.group_change_log)}, {"revision", revision}});
  }
  if (applied->HasChanges()) {
    events_->Normal(obj, runtime::kProgressingReason, applied->ChangesSummary(), EventMeta(revision, origin_revision));
  }

  // Prune what left the source.
  std::vector<ssa::ObjectRef> old_inventory;
  if (const auto* inv = object::Find(obj, {"status", "inventory"}); inv != nullptr) {
    if (auto parsed = ssa::FromInventory(*inv); parsed.ok()) old_inventory = std::move(*parsed);
  }
  std::vector<ssa::ObjectRef> new_inventory = applied->Refs();
  bool pruned = false;
  if (object::GetBool(obj, {"spec", "prune"})) {
    auto stale = ssa::StaleObjects(old_inventory, new_inventory);
    if (!stale.empty()) {
      std::vector<ssa::ObjectRef> failed;
      auto deleted = manager.DeleteAll(stale, &failed);
      if (!deleted.ok()) {
        // Keep the objects that could not be deleted in the inventory, so a later run retries.
        for (const auto& ref : failed) new_inventory.push_back(ref);
        object::Ensure(obj, {"status", "inventory"}) = ssa::ToInventory(new_inventory);
        RecordHistory(obj, build_digest, revision, origin_revision, std::string(runtime::kPruneFailedReason),
                      Clock::now() - started);
        return not_ready(runtime::kPruneFailedReason, std::string(deleted.status().message()),
                         Result::RequeueAfter(retry_interval), EventMeta(revision, origin_revision));
      }
      if (!deleted->entries.empty()) {
        std::vector<std::string> lines;
        for (const auto& e : deleted->entries) lines.push_back(e.Line());
        ctx.logger().Info(absl::StrCat("garbage collection completed: ", absl::StrJoin(lines, "\n")));
      }
      if (deleted->HasChanges()) {
        pruned = true;
        events_->Normal(obj, runtime::kProgressingReason, deleted->ChangesSummary(),
                        EventMeta(revision, origin_revision));
      }
    }
  }
  object::Ensure(obj, {"status", "inventory"}) = ssa::ToInventory(new_inventory);
  const bool changed = applied->HasChanges() || pruned || object::GetString(obj, {"status", "lastAppliedRevision"}) != revision;

  // Health: read once; wait without holding the worker when in progress.
  std::vector<ssa::ObjectRef> targets = HealthCheckTargets(obj, applied->AppliedRefs());
  if (targets.empty()) return succeed(build_digest, started, changed, false, Clock::now());
  HealthWait wait;
  wait.revision = revision;
  wait.origin_revision = origin_revision;
  wait.generation = generation;
  wait.build_digest = build_digest;
  wait.started = started;
  wait.checks_started = Clock::now();
  wait.deadline = wait.checks_started + timeout;
  wait.targets = std::move(targets);
  wait.jobs_with_ttl = jobs_with_ttl;
  wait.changed = changed;
  waits_.Put(key, wait);
  return evaluate_health(wait);
}

}  // namespace fluxcpp::kustomize_controller
