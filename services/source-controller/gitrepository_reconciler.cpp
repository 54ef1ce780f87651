#include "services/source-controller/gitrepository_reconciler.h"

#include <stdlib.h>

#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/artifact/ignore_matcher.h"
#include "libs/core/duration.h"
#include "libs/core/status_macros.h"
#include "libs/git/clone.h"
#include "libs/runtime/conditions.h"
#include "libs/runtime/finalizers.h"
#include "libs/runtime/status_patcher.h"

namespace fluxcpp::source {
namespace {

namespace cond = runtime::conditions;
using runtime::Result;

Result FromStatus(const absl::Status& s) { return s.ok() ? Result::Done() : Result::Error(s); }

constexpr std::string_view kKind = "GitRepository";
constexpr std::string_view kFinalizer = "finalizers.fluxcd.io";
const kube::GroupVersionKind kGitRepositoryGvk{"source.toolkit.fluxcd.io", "v1", "GitRepository"};

// Reasons specific to source-controller (spec §2.8).
constexpr std::string_view kGitOperationFailed = "GitOperationFailed";
constexpr std::string_view kGitOperationSucceeded = "GitOperationSucceeded";
constexpr std::string_view kAuthenticationFailed = "AuthenticationFailed";
constexpr std::string_view kURLInvalid = "URLInvalid";
constexpr std::string_view kArchiveOperationFailed = "ArchiveOperationFailed";
constexpr std::string_view kNewRevision = "NewRevision";
constexpr std::string_view kEmptyGitRepository = "EmptyGitRepository";
constexpr std::string_view kArtifactVerificationFailed = "ArtifactVerificationFailed";

std::vector<cond::SummaryCondition> GitReadyOrder() {
  using cond::Polarity;
  return {{runtime::kStorageOperationFailedCondition, Polarity::kNegative},
          {runtime::kFetchFailedCondition, Polarity::kNegative},
          {runtime::kIncludeUnavailableCondition, Polarity::kNegative},
          {runtime::kArtifactOutdatedCondition, Polarity::kNegative},
          {runtime::kArtifactInStorageCondition, Polarity::kPositive},
          {runtime::kSourceVerifiedCondition, Polarity::kBipolar},
          {runtime::kStalledCondition, Polarity::kNegative},
          {runtime::kReconcilingCondition, Polarity::kNegative}};
}

// First line of a commit message, at most 50 characters plus "...".
std::string CommitSubject(const std::string& message) {
  std::string line = message.substr(0, message.find('\n'));
  if (line.size() > 50) line = line.substr(0, 50) + "...";
  return line;
}

std::optional<artifact::Artifact> ArtifactFromStatus(const object::Value& obj) {
  const object::Value* a = object::Find(obj, {"status", "artifact"});
  if (a == nullptr || !a->is_object()) return std::nullopt;
  artifact::Artifact out;
  out.path = object::GetString(*a, {"path"});
  out.url = object::GetString(*a, {"url"});
  out.revision = object::GetString(*a, {"revision"});
  out.digest = object::GetString(*a, {"digest"});
  out.last_update_time = object::GetString(*a, {"lastUpdateTime"});
  out.size = object::GetInt(*a, {"size"});
  return out;
}

object::Value ArtifactToValue(const artifact::Artifact& a) {
  return {{"path", a.path},       {"url", a.url},
          {"revision", a.revision}, {"digest", a.digest},
          {"lastUpdateTime", a.last_update_time}, {"size", a.size}};
}

rpc::ArtifactInfo ToRpc(const artifact::Artifact& a) {
  rpc::ArtifactInfo info;
  info.path = a.path;
  info.url = a.url;
  info.revision = a.revision;
  info.digest = a.digest;
  info.last_update_time = a.last_update_time;
  info.size = a.size;
  return info;
}

// A temporary directory removed on scope exit.
class TempDir {
 public:
  static absl::StatusOr<TempDir> Create(const std::string& parent, const std::string& prefix) {
    std::string pattern = parent + "/" + prefix + "XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::InternalError(absl::StrCat("failed to create temporary working directory under ", parent));
    }
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Credentials from spec.secretRef (spec §3.2). Never log the values.
absl::StatusOr<git::AuthOptions> LoadAuth(kube::Client& client, const object::Value& obj) {
  git::AuthOptions auth;
  std::string secret_name = object::GetString(obj, {"spec", "secretRef", "name"});
  if (secret_name.empty()) return auth;
  std::string ns = object::GetString(obj, {"metadata", "namespace"});
  auto secret = client.Get({"", "v1", "Secret"}, ns, secret_name);
  if (!secret.ok()) {
    return absl::Status(secret.status().code(), absl::StrCat("failed to get secret '", ns, "/", secret_name,
                                                             "': ", std::string(secret.status().message())));
  }
  auto field = [&](const char* key) -> std::string {
    const object::Value* v = object::Find(*secret, {"data", key});
    if (v == nullptr || !v->is_string()) return "";
    std::string decoded;
    absl::Base64Unescape(v->get<std::string>(), &decoded);
    return decoded;
  };
  auth.username = field("username");
  auth.password = field("password");
  auth.bearer_token = field("bearerToken");
  auth.ca_pem = field("ca.crt");
  if (auth.ca_pem.empty()) auth.ca_pem = field("caFile");
  if (!auth.bearer_token.empty() && (!auth.username.empty() || !auth.password.empty())) {
    return absl::InvalidArgumentError(absl::StrCat("failed to configure authentication options: secret '", ns, "/",
                                                   secret_name,
                                                   "': bearerToken is mutually exclusive with username/password"));
  }
  return auth;
}

git::Reference ReferenceFromSpec(const object::Value& obj) {
  git::Reference ref;
  ref.branch = object::GetString(obj, {"spec", "ref", "branch"});
  ref.tag = object::GetString(obj, {"spec", "ref", "tag"});
  ref.semver = object::GetString(obj, {"spec", "ref", "semver"});
  ref.name = object::GetString(obj, {"spec", "ref", "name"});
  ref.commit = object::GetString(obj, {"spec", "ref", "commit"});
  return ref;
}

std::optional<std::string> SpecIgnore(const object::Value& obj) {
  const object::Value* v = object::Find(obj, {"spec", "ignore"});
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->get<std::string>();
}


}  // namespace

Result GitRepositoryReconciler::Reconcile(const runtime::Request& request, runtime::ReconcileContext& ctx) {
  auto fetched = client_->Get(kGitRepositoryGvk, request.ns, request.name);
  if (!fetched.ok()) {
    if (fetched.status().code() == absl::StatusCode::kNotFound) return {};
    return Result::Error(fetched.status());
  }
  object::Value obj = std::move(*fetched);
  runtime::StatusPatcher patcher(*client_, obj, {"source-controller"});
  const rpc::SourceRef source_ref{std::string(kKind), request.ns, request.name};

  // Deletion: remove every artifact of the object, then the finalizer.
  if (object::Find(obj, {"metadata", "deletionTimestamp"}) != nullptr) {
    auto removed = storage_->RemoveAll(kKind, request.ns, request.name);
    if (!removed.ok()) return Result::Error(removed.status());
    if (!removed->empty()) events_->Normal(obj, "GarbageCollectionSucceeded", "garbage collected artifacts for deleted resource");
    if (hub_ != nullptr) hub_->Remove(source_ref);
    return FromStatus(runtime::RemoveFinalizer(*client_, obj, kFinalizer));
  }
  if (!runtime::HasFinalizer(obj, kFinalizer)) {
    if (absl::Status s = runtime::AddFinalizer(*client_, obj, kFinalizer); !s.ok()) return Result::Error(s);
  }

  if (object::GetBool(obj, {"spec", "suspend"})) {
    ctx.logger().Info("reconciliation is suspended for this object");
    return FromStatus(patcher.Patch(obj, runtime::PatchOptions{}));
  }

  auto interval = ParseGoDuration(object::GetString(obj, {"spec", "interval"}, "1m"));
  if (!interval.ok()) interval = std::chrono::minutes(1);
  auto timeout = ParseGoDuration(object::GetString(obj, {"spec", "timeout"}, "60s"));
  if (!timeout.ok()) timeout = std::chrono::seconds(60);

  // Progress.
  int64_t generation = object::GetInt(obj, {"metadata", "generation"});
  int64_t observed = object::GetInt(obj, {"status", "observedGeneration"}, -1);
  std::string progress = generation != observed
                             ? absl::StrCat("processing object: new generation ", observed, " -> ", generation)
                             : "reconciliation in progress";
  cond::MarkReconciling(obj, runtime::kProgressingReason, progress);
  if (generation != observed) (void)patcher.PatchNow(obj);

  // Storage: garbage collection and integrity of the current artifact.
  std::optional<artifact::Artifact> current = ArtifactFromStatus(obj);
  if (current) {
    (void)storage_->GarbageCollect(*current, options_.artifact_retention_ttl, options_.artifact_retention_records);
    absl::Status verified = storage_->Verify(*current);
    if (!verified.ok()) {
      if (verified.code() == absl::StatusCode::kDataLoss) {
        events_->Warning(obj, kArtifactVerificationFailed,
                         absl::StrCat("failed to verify integrity of artifact: ", std::string(verified.message())));
      }
      std::error_code ec;
      std::filesystem::remove(storage_->LocalPath(*current), ec);
      object::Erase(obj, {"status", "artifact"});
      current.reset();
      cond::Remove(obj, runtime::kArtifactInStorageCondition);
      cond::MarkReconciling(obj, runtime::kProgressingReason, "building artifact: disappeared from storage");
      cond::MarkUnknown(obj, runtime::kReadyCondition, runtime::kProgressingReason,
                        "building artifact: disappeared from storage");
    } else {
      storage_->SetArtifactUrl(*current);
      object::Ensure(obj, {"status", "artifact"}) = ArtifactToValue(*current);
    }
  } else {
    cond::Remove(obj, runtime::kArtifactInStorageCondition);
    cond::MarkReconciling(obj, runtime::kProgressingReason, "building artifact");
    cond::MarkUnknown(obj, runtime::kReadyCondition, runtime::kProgressingReason, "building artifact");
  }

  // Every exit: settle Reconciling/Stalled, derive Ready (spec §2.7), patch once.
  auto finish = [&](Result result) -> Result {
    runtime::PatchOptions patch_options;
    const bool stalled = cond::IsTrue(obj, runtime::kStalledCondition);
    if (result.error.ok() && !stalled) {
      cond::Remove(obj, runtime::kReconcilingCondition);
      cond::Remove(obj, runtime::kStalledCondition);
    } else if (auto r = cond::Get(obj, runtime::kReconcilingCondition)) {
      cond::MarkReconciling(obj, runtime::kProgressingWithRetryReason, r->message);
    }
    cond::SummarizeReady(obj, GitReadyOrder(), runtime::kArtifactInStorageCondition);
    if ((result.error.ok() && cond::IsTrue(obj, runtime::kReadyCondition)) || stalled) {
      patch_options.set_observed_generation = true;
    }
    if (absl::Status s = patcher.Patch(obj, patch_options); !s.ok() && result.error.ok()) return Result::Error(s);
    if (result.error.ok() && !stalled && !cond::IsTrue(obj, runtime::kReadyCondition)) {
      // Successful run that is not Ready: retry with backoff (spec §2.7).
      return Result::Error(absl::UnavailableError(cond::GetMessage(obj, runtime::kReadyCondition)));
    }
    return result;
  };
  auto fail = [&](std::string_view condition, std::string_view reason, const std::string& message,
                  bool stalled = false) -> Result {
    cond::MarkTrue(obj, condition, reason, message);
    events_->Warning(obj, reason, message);
    if (stalled) {
      cond::MarkStalled(obj, reason, message);
      return finish(Result{});
    }
    return finish(Result::Error(absl::UnavailableError(message)));
  };

  // Source: validate the URL, load credentials, clone.
  std::string url = object::GetString(obj, {"spec", "url"});
  if (!(absl::StartsWith(url, "http://") || absl::StartsWith(url, "https://") || absl::StartsWith(url, "ssh://") ||
        absl::StartsWith(url, "git://"))) {
    return fail(runtime::kFetchFailedCondition, kURLInvalid,
                absl::StrCat("failed to parse url '", url, "': scheme must be http, https, ssh or git"), true);
  }
  auto auth = LoadAuth(*client_, obj);
  if (!auth.ok()) return fail(runtime::kFetchFailedCondition, kAuthenticationFailed, std::string(auth.status().message()));

  auto workdir = TempDir::Create(options_.tmp_dir, "gitrepository-" + request.ns + "-" + request.name + "-");
  if (!workdir.ok()) {
    return fail(runtime::kStorageOperationFailedCondition, "DirectoryCreationFailed",
                std::string(workdir.status().message()));
  }
  git::CloneOptions clone;
  clone.url = url;
  clone.reference = ReferenceFromSpec(obj);
  clone.auth = *auth;
  clone.timeout = std::chrono::duration_cast<std::chrono::seconds>(*timeout);
  std::optional<std::string> spec_ignore = SpecIgnore(obj);
  const object::Value* observed_ignore = object::Find(obj, {"status", "observedIgnore"});
  bool ignore_unchanged = spec_ignore ? (observed_ignore && observed_ignore->is_string() &&
                                         observed_ignore->get<std::string>() == *spec_ignore)
                                      : (observed_ignore == nullptr || observed_ignore->is_null());
  if (current && cond::IsTrue(obj, runtime::kArtifactInStorageCondition) && ignore_unchanged) {
    clone.last_observed_commit = current->revision;
  }
  auto cloned = git::Clone(clone, workdir->path());
  if (!cloned.ok()) {
    if (cloned.status().code() == absl::StatusCode::kFailedPrecondition &&
        absl::StrContains(cloned.status().message(), "empty")) {
      return fail(runtime::kFetchFailedCondition, kEmptyGitRepository, "git repository is empty");
    }
    if (cloned.status().code() == absl::StatusCode::kUnauthenticated) {
      return fail(runtime::kFetchFailedCondition, kAuthenticationFailed,
                  absl::StrCat("failed to checkout and determine revision: ", std::string(cloned.status().message())));
    }
    return fail(runtime::kFetchFailedCondition, kGitOperationFailed,
                absl::StrCat("failed to checkout and determine revision: ", std::string(cloned.status().message())));
  }
  cond::Remove(obj, runtime::kFetchFailedCondition);
  const std::string revision = cloned->revision;

  if (cloned->unchanged && current && current->revision == revision) {
    events_->Trace(obj, kGitOperationSucceeded,
                   absl::StrCat("no changes since last reconciliation: observed revision '", revision, "'"));
    cond::Remove(obj, runtime::kArtifactOutdatedCondition);
    cond::MarkTrue(obj, runtime::kArtifactInStorageCondition, runtime::kSucceededReason,
                   absl::StrCat("stored artifact for revision '", revision, "'"));
    if (hub_ != nullptr) hub_->Publish(source_ref, ToRpc(*current));
    return finish(Result::RequeueAfter(*interval));
  }
  if (current && current->revision != revision) {
    std::string msg = absl::StrCat("new upstream revision '", revision, "'");
    cond::MarkTrue(obj, runtime::kArtifactOutdatedCondition, kNewRevision, msg);
    cond::MarkReconciling(obj, runtime::kProgressingReason, "building artifact: " + msg);
    cond::MarkUnknown(obj, runtime::kReadyCondition, runtime::kProgressingReason, "building artifact: " + msg);
    (void)patcher.PatchNow(obj);
  }

  // Artifact: archive with the ignore rules and store atomically.
  bool had_same = current && current->revision == revision && ignore_unchanged && storage_->Exists(*current);
  if (!had_same) {
    auto matcher = artifact::IgnoreMatcher::ForGitRepository(workdir->path(), spec_ignore);
    if (!matcher.ok()) {
      return fail(runtime::kStorageOperationFailedCondition, "SourceIgnoreError",
                  absl::StrCat("failed to load source ignore patterns from repository: ",
                               std::string(matcher.status().message())));
    }
    artifact::Artifact next =
        storage_->NewArtifactFor(kKind, request.ns, request.name, revision, cloned->commit + ".tar.gz");
    auto stored = storage_->Archive(next, workdir->path(), artifact::FilterFrom(*matcher));
    if (!stored.ok()) {
      return fail(runtime::kStorageOperationFailedCondition, kArchiveOperationFailed,
                  absl::StrCat("unable to archive artifact to storage: ", std::string(stored.status().message())));
    }
    current = *stored;
    object::Ensure(obj, {"status", "artifact"}) = ArtifactToValue(*current);
    if (spec_ignore) {
      object::Ensure(obj, {"status", "observedIgnore"}) = *spec_ignore;
    } else {
      object::Erase(obj, {"status", "observedIgnore"});
    }
    events_->Normal(obj, "NewArtifact", absl::StrCat("stored artifact for commit '", CommitSubject(cloned->message), "'"),
                    {{"revision", current->revision}, {"digest", current->digest}});
  } else if (cond::IsFalse(obj, runtime::kReadyCondition)) {
    events_->Normal(obj, runtime::kSucceededReason,
                    absl::StrCat("stored artifact for commit '", CommitSubject(cloned->message), "'"),
                    {{"revision", current->revision}, {"digest", current->digest}});
  }
  cond::Remove(obj, runtime::kArtifactOutdatedCondition);
  cond::Remove(obj, runtime::kStorageOperationFailedCondition);
  cond::MarkTrue(obj, runtime::kArtifactInStorageCondition, runtime::kSucceededReason,
                 absl::StrCat("stored artifact for revision '", revision, "'"));
  if (hub_ != nullptr) hub_->Publish(source_ref, ToRpc(*current));
  (void)ctx;
  return finish(Result::RequeueAfter(*interval));
}

}  // namespace fluxcpp::source
