#include "services/kustomize-controller/kustomization_reconciler.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/artifact/fetcher.h"
#include "libs/core/digest.h"
#include "libs/core/duration.h"
#include "libs/core/logger.h"
#include "libs/core/path_safety.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/build.h"
#include "libs/kustomize/flux_generator.h"
#include "libs/runtime/conditions.h"
#include "libs/runtime/finalizers.h"
#include "libs/runtime/status_patcher.h"
#include "libs/ssa/resource_manager.h"

namespace fluxcpp::kustomize_controller {
namespace {

namespace cond = runtime::conditions;
using runtime::Result;

Result FromStatus(const absl::Status& s) { return s.ok() ? Result::Done() : Result::Error(s); }

constexpr std::string_view kFinalizer = "finalizers.fluxcd.io";
const std::string kGroup = "kustomize.toolkit.fluxcd.io";
const kube::GroupVersionKind kKustomizationGvk{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};

class TempDir {
 public:
  static absl::StatusOr<TempDir> Create(const std::string& parent) {
    std::string pattern = parent + "/kustomization-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("failed to create temporary directory");
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

std::optional<kube::GroupVersionKind> SourceGvk(const std::string& kind) {
  if (kind == "GitRepository" || kind == "OCIRepository" || kind == "Bucket") {
    return kube::GroupVersionKind{"source.toolkit.fluxcd.io", "v1", kind};
  }
  return std::nullopt;
}

// Effective timeout: spec.timeout, else interval - 30s; never below 30s (spec §10.1).
Duration EffectiveTimeout(const object::Value& obj, Duration interval) {
  Duration t = interval - std::chrono::seconds(30);
  if (auto spec = ParseGoDuration(object::GetString(obj, {"spec", "timeout"})); spec.ok()) t = *spec;
  return std::max<Duration>(t, std::chrono::seconds(30));
}

kustomize::FluxOverlay OverlayFromSpec(const object::Value& obj) {
  kustomize::FluxOverlay overlay;
  overlay.target_namespace = object::GetString(obj, {"spec", "targetNamespace"});
  overlay.name_prefix = object::GetString(obj, {"spec", "namePrefix"});
  overlay.name_suffix = object::GetString(obj, {"spec", "nameSuffix"});
  if (const auto* p = object::Find(obj, {"spec", "patches"}); p && p->is_array()) {
    for (const auto& item : *p) overlay.patches.push_back(item);
  }
  if (const auto* i = object::Find(obj, {"spec", "images"}); i && i->is_array()) {
    for (const auto& item : *i) overlay.images.push_back(item);
  }
  if (const auto* c = object::Find(obj, {"spec", "components"}); c && c->is_array()) {
    for (const auto& item : *c) {
      if (item.is_string()) overlay.components.push_back(item.get<std::string>());
    }
  }
  overlay.ignore_missing_components = object::GetBool(obj, {"spec", "ignoreMissingComponents"});
  if (const auto* b = object::Find(obj, {"spec", "buildMetadata"}); b && b->is_array()) {
    for (const auto& item : *b) {
      if (item.is_string()) overlay.build_metadata.push_back(item.get<std::string>());
    }
  }
  if (const auto* l = object::Find(obj, {"spec", "commonMetadata", "labels"}); l && l->is_object()) {
    for (auto it = l->begin(); it != l->end(); ++it) {
      if (it.value().is_string()) overlay.common_labels[it.key()] = it.value().get<std::string>();
    }
  }
  if (const auto* a = object::Find(obj, {"spec", "commonMetadata", "annotations"}); a && a->is_object()) {
    for (auto it = a->begin(); it != a->end(); ++it) {
      if (it.value().is_string()) overlay.common_annotations[it.key()] = it.value().get<std::string>();
    }
  }
  return overlay;
}

// Adds (or refreshes) the status.history entry for this build (spec §10.16).
void RecordHistory(object::Value& obj, const std::string& digest, const std::string& revision,
                   const std::string& status, Duration took) {
  object::Value& history = object::Ensure(obj, {"status", "history"});
  if (!history.is_array()) history = object::Value::array();
  std::string now = NowRfc3339();
  object::Value entry;
  for (auto it = history.begin(); it != history.end(); ++it) {
    if (object::GetString(*it, {"digest"}) == digest && object::GetString(*it, {"lastReconciledStatus"}) == status) {
      entry = *it;
      history.erase(it);
      break;
    }
  }
  if (entry.is_null()) {
    entry = {{"digest", digest}, {"firstReconciled", now}, {"totalReconciliations", 0}};
  }
  entry["lastReconciled"] = now;
  entry["lastReconciledDuration"] = FormatGoDuration(std::chrono::duration_cast<std::chrono::milliseconds>(took));
  entry["lastReconciledStatus"] = status;
  entry["totalReconciliations"] = object::GetInt(entry, {"totalReconciliations"}) + 1;
  entry["metadata"] = {{"revision", revision}};
  history.insert(history.begin(), entry);
  while (history.size() > 5) history.erase(history.end() - 1);
}

}  // namespace

std::tuple<std::string, std::string, std::string> KustomizationReconciler::SourceOf(const object::Value& obj) {
  std::string ns = object::GetString(obj, {"spec", "sourceRef", "namespace"});
  if (ns.empty()) ns = object::GetString(obj, {"metadata", "namespace"});
  return {object::GetString(obj, {"spec", "sourceRef", "kind"}), ns,
          object::GetString(obj, {"spec", "sourceRef", "name"})};
}

Result KustomizationReconciler::Reconcile(const runtime::Request& request, runtime::ReconcileContext& ctx) {
  const auto started = std::chrono::steady_clock::now();
  auto fetched = client_->Get(kKustomizationGvk, request.ns, request.name);
  if (!fetched.ok()) {
    if (fetched.status().code() == absl::StatusCode::kNotFound) return {};
    return Result::Error(fetched.status());
  }
  object::Value obj = std::move(*fetched);
  runtime::StatusPatcher patcher(*client_, obj, {"gotk-kustomize-controller"});

  ssa::Owner owner{"kustomize-controller", absl::StrCat(kGroup, "/name"), absl::StrCat(kGroup, "/namespace"),
                   request.name, request.ns, std::string(kGroup)};

  // The client that applies: impersonating the tenant's service account if set.
  std::string sa = object::GetString(obj, {"spec", "serviceAccountName"}, options_.default_service_account);
  std::unique_ptr<kube::Client> impersonated;
  kube::Client* applier = client_;
  if (!sa.empty()) {
    impersonated = client_->Impersonate(absl::StrCat("system:serviceaccount:", request.ns, ":", sa), {});
    applier = impersonated.get();
  }

  // Deletion: garbage collect the inventory per deletionPolicy, then drop the finalizer.
  if (object::Find(obj, {"metadata", "deletionTimestamp"}) != nullptr) {
    std::string policy = object::GetString(obj, {"spec", "deletionPolicy"}, "MirrorPrune");
    bool remove = policy == "Delete" || policy == "WaitForTermination" ||
                  (policy == "MirrorPrune" && object::GetBool(obj, {"spec", "prune"}));
    if (remove && !object::GetBool(obj, {"spec", "suspend"})) {
      auto inventory = ssa::FromInventory(object::Find(obj, {"status", "inventory"}) != nullptr
                                              ? *object::Find(obj, {"status", "inventory"})
                                              : object::Value::object());
      if (inventory.ok() && !inventory->empty()) {
        ssa::ResourceManager manager(*applier, owner);
        auto deleted = manager.DeleteAll(*inventory);
        if (!deleted.ok()) {
          events_->Warning(obj, runtime::kPruneFailedReason, std::string(deleted.status().message()));
        } else if (deleted->HasChanges()) {
          events_->Normal(obj, runtime::kProgressingReason, deleted->ChangesSummary());
        }
      }
    }
    return FromStatus(runtime::RemoveFinalizer(*client_, obj, kFinalizer));
  }
  if (!runtime::HasFinalizer(obj, kFinalizer)) {
    if (absl::Status s = runtime::AddFinalizer(*client_, obj, kFinalizer); !s.ok()) return Result::Error(s);
  }

  if (object::GetBool(obj, {"spec", "suspend"})) {
    ctx.logger().Info("Reconciliation is suspended for this object");
    return FromStatus(patcher.Patch(obj, runtime::PatchOptions{}));
  }

  auto interval = ParseGoDuration(object::GetString(obj, {"spec", "interval"}, "10m"));
  if (!interval.ok()) interval = std::chrono::minutes(10);
  Duration retry_interval = *interval;
  if (auto r = ParseGoDuration(object::GetString(obj, {"spec", "retryInterval"})); r.ok()) retry_interval = *r;
  const Duration timeout = EffectiveTimeout(obj, *interval);

  // Every exit goes through here: Ready derivation, Reconciling cleanup, one status patch.
  auto finish = [&](Result result) -> Result {
    runtime::PatchOptions patch_options;
    if (cond::IsTrue(obj, runtime::kReadyCondition)) {
      cond::Remove(obj, runtime::kReconcilingCondition);
      cond::Remove(obj, runtime::kStalledCondition);
      patch_options.set_observed_generation = true;
    } else if (auto r = cond::Get(obj, runtime::kReconcilingCondition)) {
      cond::MarkReconciling(obj, runtime::kProgressingWithRetryReason, r->message);
    }
    if (cond::IsTrue(obj, runtime::kStalledCondition)) patch_options.set_observed_generation = true;
    if (absl::Status s = patcher.Patch(obj, patch_options); !s.ok() && result.error.ok()) return Result::Error(s);
    return result;
  };
  auto not_ready = [&](std::string_view reason, const std::string& message, Result result) -> Result {
    cond::MarkFalse(obj, runtime::kReadyCondition, reason, message);
    events_->Warning(obj, reason, message);
    return finish(result);
  };

  // Source.
  auto [source_kind, source_ns, source_name] = SourceOf(obj);
  auto source_gvk = SourceGvk(source_kind);
  if (!source_gvk) {
    std::string msg = absl::StrCat("source '", source_kind, "' kind not supported");
    cond::MarkStalled(obj, runtime::kAccessDeniedReason, msg);
    return not_ready(runtime::kArtifactFailedReason, msg, Result{});
  }
  if (options_.no_cross_namespace_refs && source_ns != request.ns) {
    std::string msg = absl::StrCat("can't access '", source_kind, "/", source_ns, "/", source_name,
                                   "', cross-namespace references have been blocked");
    cond::MarkStalled(obj, runtime::kAccessDeniedReason, msg);
    return not_ready(runtime::kAccessDeniedReason, msg, Result{});
  }
  auto source = client_->Get(*source_gvk, source_ns, source_name);
  if (!source.ok()) {
    if (source.status().code() == absl::StatusCode::kNotFound) {
      return not_ready(runtime::kArtifactFailedReason, std::string(source.status().message()),
                       Result::RequeueAfter(retry_interval));
    }
    return finish(Result::Error(source.status()));
  }
  const object::Value* artifact = object::Find(*source, {"status", "artifact"});
  if (artifact == nullptr || !artifact->is_object()) {
    std::string msg = absl::StrCat("Source artifact not found, retrying in ", FormatGoDuration(options_.requeue_dependency));
    cond::MarkFalse(obj, runtime::kReadyCondition, runtime::kArtifactFailedReason, msg);
    ctx.logger().Info(msg);
    return finish(Result::RequeueAfter(options_.requeue_dependency));
  }
  const std::string revision = object::GetString(*artifact, {"revision"});

  // Dependencies (spec §10.13, built-in readiness check).
  if (const auto* deps = object::Find(obj, {"spec", "dependsOn"}); deps && deps->is_array()) {
    for (const auto& dep : *deps) {
      std::string dep_ns = object::GetString(dep, {"namespace"}, request.ns);
      std::string dep_name = object::GetString(dep, {"name"});
      auto live = client_->Get(kKustomizationGvk, dep_ns, dep_name);
      std::string problem;
      if (!live.ok()) {
        problem = absl::StrCat("dependency '", dep_ns, "/", dep_name, "' not found: ", std::string(live.status().message()));
      } else if (!cond::IsTrue(*live, runtime::kReadyCondition) ||
                 object::GetInt(*live, {"metadata", "generation"}) !=
                     object::GetInt(*live, {"status", "observedGeneration"}, -1)) {
        problem = absl::StrCat("dependency '", dep_ns, "/", dep_name, "' is not ready");
      } else if (SourceOf(*live) == SourceOf(obj) &&
                 object::GetString(*live, {"status", "lastAppliedRevision"}) != revision) {
        problem = absl::StrCat("dependency '", dep_ns, "/", dep_name, "' revision is not up to date");
      }
      if (!problem.empty()) {
        cond::MarkFalse(obj, runtime::kReadyCondition, runtime::kDependencyNotReadyReason, problem);
        events_->Normal(obj, runtime::kDependencyNotReadyReason,
                        absl::StrCat("Dependencies do not meet ready condition, retrying in ",
                                     FormatGoDuration(options_.requeue_dependency)));
        return finish(Result::RequeueAfter(options_.requeue_dependency));
      }
    }
    ctx.logger().Info("All dependencies are ready, proceeding with reconciliation");
  }

  // Features that come with their own engines later fail clearly instead of being skipped.
  if (object::Find(obj, {"spec", "decryption"}) != nullptr) {
    return not_ready(runtime::kBuildFailedReason,
                     "spec.decryption: SOPS decryption is not available in this version of kustomize-controller",
                     Result::RequeueAfter(retry_interval));
  }
  if (object::Find(obj, {"spec", "healthCheckExprs"}) != nullptr) {
    return not_ready(runtime::kBuildFailedReason,
                     "spec.healthCheckExprs: CEL health checks are not available in this version of kustomize-controller",
                     Result::RequeueAfter(retry_interval));
  }

  std::string timeout_text = FormatGoDuration(timeout);
  cond::MarkReconciling(obj, runtime::kProgressingReason,
                        absl::StrCat("Fetching manifests for revision ", revision, " with a timeout of ", timeout_text));
  cond::MarkUnknown(obj, runtime::kReadyCondition, runtime::kProgressingReason, "Reconciliation in progress");
  (void)patcher.PatchNow(obj);

  auto tmp = TempDir::Create(options_.tmp_dir);
  if (!tmp.ok()) return not_ready("DirectoryCreationFailed", std::string(tmp.status().message()), Result::RequeueAfter(retry_interval));
  artifact::FetchOptions fetch_options;
  fetch_options.retries = options_.http_retry;
  absl::Status fetched_artifact =
      artifact::FetchArtifact(artifact::ArtifactUrlWithLocalhostOverride(object::GetString(*artifact, {"url"})),
                              object::GetString(*artifact, {"digest"}), tmp->path(), fetch_options);
  if (!fetched_artifact.ok()) {
    if (fetched_artifact.code() == absl::StatusCode::kNotFound) {
      std::string msg = absl::StrCat("Source is not ready, artifact not found, retrying in ",
                                     FormatGoDuration(options_.requeue_dependency));
      cond::MarkFalse(obj, runtime::kReadyCondition, runtime::kArtifactFailedReason, msg);
      return finish(Result::RequeueAfter(options_.requeue_dependency));
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

  // Build.
  cond::MarkReconciling(obj, runtime::kProgressingReason,
                        absl::StrCat("Building manifests for revision ", revision, " with a timeout of ", timeout_text));
  auto build_failed = [&](const absl::Status& s) {
    return not_ready(runtime::kBuildFailedReason, std::string(s.message()), Result::RequeueAfter(retry_interval));
  };
  if (auto generated = kustomize::GenerateFluxKustomization(*dir, OverlayFromSpec(obj)); !generated.ok()) {
    return build_failed(generated.status());
  }
  const kustomize::FluxOverlay overlay = OverlayFromSpec(obj);
  kustomize::BuildOptions build_options;
  build_options.root = tmp->path();
  build_options.allow_remote = !options_.no_remote_bases;
  auto built = kustomize::Build(*dir, build_options);
  if (!built.ok()) return build_failed(Annotate(built.status(), "kustomize build failed"));
  kustomize::ApplyCommonMetadata(*built, overlay);
  if (object::Find(obj, {"spec", "postBuild"}) != nullptr) {
    return build_failed(absl::UnimplementedError(
        "spec.postBuild: variable substitution is not available in this version of kustomize-controller"));
  }
  for (const auto& res : *built) {
    if (object::GetString(res, {"apiVersion"}).empty() || object::GetString(res, {"kind"}).empty() ||
        object::GetString(res, {"metadata", "name"}).empty()) {
      return build_failed(absl::InvalidArgumentError(absl::StrCat(
          "failed to decode Kubernetes apiVersion, kind and name from: ", object::ToJson(res).substr(0, 200))));
    }
  }
  const std::string build_digest = Sha256Digest(kustomize::ToYaml(*built));

  // Apply.
  cond::MarkReconciling(obj, runtime::kProgressingReason,
                        absl::StrCat("Detecting drift for revision ", revision, " with a timeout of ", timeout_text));
  ssa::ResourceManager manager(*applier, owner);
  ssa::ApplyOptions apply_options;
  apply_options.force = object::GetBool(obj, {"spec", "force"});
  auto applied = manager.ApplyAllStaged(*built, apply_options);
  if (!applied.ok()) {
    RecordHistory(obj, build_digest, revision, std::string(runtime::kReconciliationFailedReason),
                  std::chrono::steady_clock::now() - started);
    return not_ready(runtime::kReconciliationFailedReason, std::string(applied.status().message()),
                     Result::RequeueAfter(retry_interval));
  }
  if (applied->HasChanges()) events_->Normal(obj, runtime::kProgressingReason, applied->ChangesSummary(),
                                             {{"revision", revision}});

  // Prune what left the source.
  std::vector<ssa::ObjectRef> old_inventory;
  if (const auto* inv = object::Find(obj, {"status", "inventory"}); inv != nullptr) {
    if (auto parsed = ssa::FromInventory(*inv); parsed.ok()) old_inventory = std::move(*parsed);
  }
  std::vector<ssa::ObjectRef> new_inventory = applied->Refs();
  if (object::GetBool(obj, {"spec", "prune"})) {
    auto stale = ssa::StaleObjects(old_inventory, new_inventory);
    if (!stale.empty()) {
      auto deleted = manager.DeleteAll(stale);
      if (!deleted.ok()) {
        // Keep the objects that could not be deleted in the inventory, so a later run retries.
        for (const auto& ref : stale) new_inventory.push_back(ref);
        object::Ensure(obj, {"status", "inventory"}) = ssa::ToInventory(new_inventory);
        RecordHistory(obj, build_digest, revision, std::string(runtime::kPruneFailedReason),
                      std::chrono::steady_clock::now() - started);
        return not_ready(runtime::kPruneFailedReason, std::string(deleted.status().message()),
                         Result::RequeueAfter(retry_interval));
      }
      if (deleted->HasChanges()) events_->Normal(obj, runtime::kProgressingReason, deleted->ChangesSummary(),
                                                 {{"revision", revision}});
    }
  }
  object::Ensure(obj, {"status", "inventory"}) = ssa::ToInventory(new_inventory);

  // Success.
  Duration took = std::chrono::steady_clock::now() - started;
  object::Ensure(obj, {"status", "lastAppliedRevision"}) = revision;
  RecordHistory(obj, build_digest, revision, std::string(runtime::kReconciliationSucceededReason), took);
  cond::MarkTrue(obj, runtime::kReadyCondition, runtime::kReconciliationSucceededReason,
                 absl::StrCat("Applied revision: ", revision));
  events_->Normal(obj, runtime::kReconciliationSucceededReason,
                  absl::StrCat("Reconciliation finished in ",
                               FormatGoDuration(std::chrono::duration_cast<std::chrono::milliseconds>(took)),
                               ", next run in ", FormatGoDuration(*interval)),
                  {{"revision", revision}, {"commit_status", "update"}});
  return finish(Result::RequeueAfter(*interval));
}

}  // namespace fluxcpp::kustomize_controller
