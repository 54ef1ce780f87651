#include "services/source-controller/gitrepository_reconciler.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/artifact/ignore_matcher.h"
#include "libs/artifact/untar.h"
#include "libs/core/duration.h"
#include "libs/core/scoped_temp_dir.h"
#include "libs/core/status_macros.h"
#include "libs/git/clone.h"
#include "libs/git/openpgp_verifier.h"
#include "libs/git/ssh_signature.h"
#include "libs/git/ssh_key.h"
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
constexpr std::string_view kArtifactUpToDate = "ArtifactUpToDate";
constexpr std::string_view kIncludeChange = "IncludeChange";
constexpr std::string_view kVerificationError = "VerificationError";
constexpr std::string_view kInvalidVerificationMode = "InvalidVerificationMode";
constexpr std::string_view kInvalidGitObject = "InvalidGitObject";
constexpr std::string_view kInvalidTagSignature = "InvalidTagSignature";
constexpr std::string_view kInvalidCommitSignature = "InvalidCommitSignature";
constexpr std::string_view kRevisionMetaKey = "source.toolkit.fluxcd.io/revision";
constexpr std::string_view kDigestMetaKey = "source.toolkit.fluxcd.io/digest";

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

// An exclusive advisory lock (flock) on a file, held until destruction.
// Serialises use of one object's fetch cache, work tree and archive cache
// between processes sharing --git-cache-path (e.g. during a leader hand-over).
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};


using Secret = std::map<std::string, std::string>;

// Decoded data of a Secret in the object's namespace.
absl::StatusOr<Secret> GetSecret(kube::Client& client, const std::string& ns, const std::string& name) {
  auto secret = client.Get({"", "v1", "Secret"}, ns, name);
  if (!secret.ok()) {
    return absl::Status(secret.status().code(), absl::StrCat("failed to get secret '", ns, "/", name,
                                                             "': ", std::string(secret.status().message())));
  }
  Secret out;
  if (const object::Value* data = object::Find(*secret, {"data"}); data && data->is_object()) {
    for (const auto& [k, v] : data->items()) {
      if (!v.is_string()) continue;
      std::string decoded;
      absl::Base64Unescape(v.get<std::string>(), &decoded);
      out[k] = std::move(decoded);
    }
  }
  if (const object::Value* data = object::Find(*secret, {"stringData"}); data && data->is_object()) {
    for (const auto& [k, v] : data->items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

std::string Field(const Secret& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() ? "" : it->second;
}

// Credentials from spec.secretRef and spec.proxySecretRef (spec §3.2).
// Never log the values.
absl::StatusOr<git::AuthOptions> LoadAuth(kube::Client& client, const object::Value& obj, const std::string& url) {
  git::AuthOptions auth;
  const std::string ns = object::GetString(obj, {"metadata", "namespace"});
  const bool ssh = absl::StartsWith(url, "ssh://");
  std::string secret_name = object::GetString(obj, {"spec", "secretRef", "name"});
  if (!secret_name.empty()) {
    auto secret = GetSecret(client, ns, secret_name);
    if (!secret.ok()) return secret.status();
    auth.username = Field(*secret, "username");
    auth.password = Field(*secret, "password");
    auth.bearer_token = Field(*secret, "bearerToken");
    auth.ca_pem = Field(*secret, "ca.crt");
    if (auth.ca_pem.empty()) auth.ca_pem = Field(*secret, "caFile");
    auth.tls_cert_pem = Field(*secret, "tls.crt");
    auth.tls_key_pem = Field(*secret, "tls.key");
    auth.ssh_identity = Field(*secret, "identity");
    auth.ssh_identity_pub = Field(*secret, "identity.pub");
    auth.known_hosts = Field(*secret, "known_hosts");
    auto invalid = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat("failed to configure authentication options: ", what));
    };
    if (!auth.bearer_token.empty() && (!auth.username.empty() || !auth.password.empty())) {
      return invalid(absl::StrCat("secret '", ns, "/", secret_name,
                                  "': bearerToken is mutually exclusive with username/password"));
    }
    if (auth.tls_cert_pem.empty() != auth.tls_key_pem.empty()) {
      return invalid(absl::StrCat("secret '", ns, "/", secret_name,
                                  "': 'tls.crt' and 'tls.key' must be specified together"));
    }
    if (ssh && !auth.ssh_identity.empty() && auth.password.empty() &&
        git::IsEncryptedPrivateKey(auth.ssh_identity)) {
      return invalid("SSH identity key is encrypted but no 'password' field was found in the secret");
    }
  }
  if (ssh && auth.known_hosts.empty()) {
    return absl::InvalidArgumentError(
        "failed to configure authentication options: invalid 'ssh' auth option: 'known_hosts' is required");
  }
  std::string proxy_name = object::GetString(obj, {"spec", "proxySecretRef", "name"});
  if (!proxy_name.empty()) {
    auto secret = GetSecret(client, ns, proxy_name);
    if (!secret.ok()) {
      return absl::Status(secret.status().code(),
                          absl::StrCat("failed to configure proxy options: ", secret.status().message()));
    }
    auth.proxy.address = Field(*secret, "address");
    auth.proxy.username = Field(*secret, "username");
    auth.proxy.password = Field(*secret, "password");
    if (auth.proxy.address.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("failed to configure proxy options: invalid proxy secret '", ns,
                                                     "/", proxy_name, "': key 'address' is missing"));
    }
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

std::vector<std::string> SpecSparseCheckout(const object::Value& obj) {
  std::vector<std::string> out;
  if (const object::Value* v = object::Find(obj, {"spec", "sparseCheckout"}); v && v->is_array()) {
    for (const auto& d : *v) {
      if (d.is_string()) out.push_back(d.get<std::string>());
    }
  }
  return out;
}

// spec.include with defaults applied (fromPath "", toPath = repository name).
struct Include {
  std::string repository;
  std::string from_path;
  std::string to_path;
};

std::vector<Include> SpecIncludes(const object::Value& obj) {
  std::vector<Include> out;
  if (const object::Value* v = object::Find(obj, {"spec", "include"}); v && v->is_array()) {
    for (const auto& i : *v) {
      Include inc;
      inc.repository = object::GetString(i, {"repository", "name"});
      inc.from_path = object::GetString(i, {"fromPath"});
      inc.to_path = object::GetString(i, {"toPath"});
      if (inc.to_path.empty()) inc.to_path = inc.repository;
      out.push_back(std::move(inc));
    }
  }
  return out;
}

object::Value NullIfMissing(const object::Value* v) { return v == nullptr ? object::Value() : *v; }

// "/a/../b" style paths are refused; the result stays under `root`.
absl::StatusOr<std::filesystem::path> SecureJoin(const std::filesystem::path& root, const std::string& rel) {
  std::filesystem::path out = root;
  for (const auto& part : std::filesystem::path(rel).lexically_normal()) {
    const std::string p = part.string();
    if (p.empty() || p == "." || p == "/") continue;
    if (p == "..") return absl::InvalidArgumentError(absl::StrCat("path '", rel, "' escapes the root"));
    out /= part;
  }
  return out;
}

// Copies the tree `from` into `to` (created), refusing symlinks that point
// outside `from`.
absl::Status CopyTree(const std::filesystem::path& from, const std::filesystem::path& to) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(from, ec)) return absl::NotFoundError(absl::StrCat("'", from.string(), "' does not exist"));
  fs::create_directories(to, ec);
  if (ec) return absl::InternalError(ec.message());
  if (!fs::is_directory(from)) {
    fs::copy_file(from, to / from.filename(), fs::copy_options::overwrite_existing, ec);
    return ec ? absl::InternalError(ec.message()) : absl::OkStatus();
  }
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing | fs::copy_options::skip_symlinks,
           ec);
  return ec ? absl::InternalError(ec.message()) : absl::OkStatus();
}

// OpenPGP keys of the verification Secret (keys ending .sshpub are SSH keys).
struct VerificationKeys {
  std::vector<std::string> pgp;
  std::vector<std::string> ssh;
};

// Outcome of spec.verify for one checked-out revision.
struct VerifyOutcome {
  bool ok = false;
  bool stalled = false;
  std::string reason;
  std::string message;
};

VerifyOutcome VerifySignatures(const std::string& mode, const VerificationKeys& keys, const git::CloneResult& cloned,
                               bool tag_ref) {
  VerifyOutcome out;
  std::vector<std::string> verified;
  const bool check_tag = mode == "Tag" || mode == "TagAndHEAD";
  const bool check_head = mode == "HEAD" || mode == "TagAndHEAD";
  auto verify = [&](const git::SignedData& data) -> absl::StatusOr<std::string> {
    if (absl::StrContains(data.signature, "BEGIN SSH SIGNATURE")) {
      if (keys.ssh.empty()) return absl::InvalidArgumentError("no SSH public keys found in the verification secret");
      return git::VerifySshSignature(keys.ssh, data.signature, data.payload);
    }
    if (keys.pgp.empty()) return absl::InvalidArgumentError("no PGP public keys found in the verification secret");
    auto id = git::VerifyOpenPgpSignature(keys.pgp, data.signature, data.payload);
    // Flux (go-openpgp) reports a signature no key verifies without detail.
    if (id.status().code() == absl::StatusCode::kPermissionDenied) {
      return absl::PermissionDeniedError("unable to verify payload with any of the given key rings");
    }
    return id;
  };
  if (check_tag) {
    if (!tag_ref) {
      out.stalled = true;
      out.reason = std::string(kInvalidVerificationMode);
      out.message = "cannot verify tag object's signature if a tag reference is not specified";
      return out;
    }
    if (!cloned.annotated_tag) {
      out.reason = std::string(kInvalidGitObject);
      out.message = absl::StrCat("cannot verify signature of lightweight tag '", cloned.tag_name, "'");
      return out;
    }
    if (!cloned.tag_signature.signed_object()) {
      out.reason = std::string(kInvalidTagSignature);
      out.message = absl::StrCat("signature verification of tag '", cloned.tag_name,
                                 "' failed: unable to verify Git tag: unable to verify payload as the provided "
                                 "signature is empty");
      return out;
    }
    auto id = verify(cloned.tag_signature);
    if (!id.ok()) {
      out.reason = std::string(kInvalidTagSignature);
      out.message = absl::StrCat("signature verification of tag '", cloned.tag_name,
                                 "' failed: unable to verify Git tag: ", id.status().message());
      return out;
    }
    verified.push_back(absl::StrCat("tag '", cloned.tag_name, "' with key '", *id, "'"));
  }
  if (check_head) {
    if (!cloned.commit_signature.signed_object()) {
      out.reason = std::string(kInvalidCommitSignature);
      out.message = absl::StrCat("signature verification of commit '", cloned.commit,
                                 "' failed: unable to verify Git commit: unable to verify payload as the provided "
                                 "signature is empty");
      return out;
    }
    auto id = verify(cloned.commit_signature);
    if (!id.ok()) {
      out.reason = std::string(kInvalidCommitSignature);
      out.message = absl::StrCat("signature verification of commit '", cloned.commit,
                                 "' failed: unable to verify Git commit: ", id.status().message());
      return out;
    }
    verified.push_back(absl::StrCat("commit '", cloned.commit, "' with key '", *id, "'"));
  }
  out.ok = true;
  out.reason = std::string(runtime::kSucceededReason);
  out.message = "verified signature of";
  for (const auto& v : verified) absl::StrAppend(&out.message, "\n\t- ", v);
  return out;
}

std::string VerifyMode(const object::Value& obj) {
  std::string mode = object::GetString(obj, {"spec", "verify", "mode"}, "HEAD");
  if (mode == "head" || mode.empty()) mode = "HEAD";
  return mode;
}

}  // namespace

bool GitRepositoryReconciler::Includes(const object::Value& includer, const std::string& name) {
  for (const Include& inc : SpecIncludes(includer)) {
    if (inc.repository == name) return true;
  }
  return false;
}

Result GitRepositoryReconciler::Reconcile(const runtime::Request& request, runtime::ReconcileContext& ctx) {
  namespace fs = std::filesystem;
  auto fetched = client_->Get(kGitRepositoryGvk, request.ns, request.name);
  if (!fetched.ok()) {
    if (fetched.status().code() == absl::StatusCode::kNotFound) return {};
    return Result::Error(fetched.status());
  }
  object::Value obj = std::move(*fetched);
  runtime::StatusPatcher patcher(*client_, obj, {"source-controller"});
  const rpc::SourceRef source_ref{std::string(kKind), request.ns, request.name};
  // Per object under --git-cache-path: <name>.git (fetch cache), <name>.worktree
  // (persistent work tree), <name>.entries (compressed archive entries).
  const std::string cache_base =
      options_.git_cache_dir.empty() ? "" : absl::StrCat(options_.git_cache_dir, "/", request.ns, "/", request.name);
  const std::string cache_dir = cache_base.empty() ? "" : cache_base + ".git";

  // Deletion: remove every artifact of the object, then the finalizer.
  if (object::Find(obj, {"metadata", "deletionTimestamp"}) != nullptr) {
    auto removed = storage_->RemoveAll(kKind, request.ns, request.name);
    if (!removed.ok()) return Result::Error(removed.status());
    if (!removed->empty()) events_->Normal(obj, "GarbageCollectionSucceeded", "garbage collected artifacts for deleted resource");
    if (!cache_dir.empty()) {
      std::error_code ec;
      fs::remove_all(cache_dir, ec);
      fs::remove_all(cache_base + ".worktree", ec);
      fs::remove(cache_base + ".entries", ec);
      fs::remove(cache_base + ".lock", ec);
    }
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
    auto collected =
        storage_->GarbageCollect(*current, options_.artifact_retention_ttl, options_.artifact_retention_records);
    if (collected.ok() && !collected->empty()) {
      events_->Trace(obj, "GarbageCollectionSucceeded",
                     absl::StrCat("garbage collected ", collected->size(), " artifacts"));
    }
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
    if (result.error.ok() && !stalled && !cond::IsTrue(obj, runtime::kReadyCondition) &&
        result.requeue_after != options_.requeue_dependency) {
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

  // Source: validate the URL, load credentials.
  std::string url = object::GetString(obj, {"spec", "url"});
  if (!(absl::StartsWith(url, "http://") || absl::StartsWith(url, "https://") || absl::StartsWith(url, "ssh://") ||
        absl::StartsWith(url, "git://"))) {
    return fail(runtime::kFetchFailedCondition, kURLInvalid,
                absl::StrCat("failed to parse url '", url, "': scheme must be http, https, ssh or git"), true);
  }
  auto auth = LoadAuth(*client_, obj, url);
  if (!auth.ok()) return fail(runtime::kFetchFailedCondition, kAuthenticationFailed, std::string(auth.status().message()));

  // Includes must exist and have an artifact before anything is fetched.
  const std::vector<Include> includes = SpecIncludes(obj);
  object::Value included_artifacts = object::Value::array();
  std::vector<artifact::Artifact> include_files;
  for (const Include& inc : includes) {
    auto dep = client_->Get(kGitRepositoryGvk, request.ns, inc.repository);
    if (!dep.ok()) {
      std::string msg = absl::StrCat("could not get resource for include '", inc.repository, "': ",
                                     std::string(dep.status().message()));
      cond::MarkTrue(obj, runtime::kIncludeUnavailableCondition, "NotFound", msg);
      events_->Warning(obj, "NotFound", msg);
      return finish(Result::RequeueAfterExact(options_.requeue_dependency));
    }
    std::optional<artifact::Artifact> a = ArtifactFromStatus(*dep);
    if (!a || !storage_->Exists(*a)) {
      std::string msg = absl::StrCat("no artifact available for include '", inc.repository, "'");
      cond::MarkTrue(obj, runtime::kIncludeUnavailableCondition, "NoArtifact", msg);
      events_->Warning(obj, "NoArtifact", msg);
      return finish(Result::RequeueAfterExact(options_.requeue_dependency));
    }
    storage_->SetArtifactUrl(*a);
    include_files.push_back(*a);
    included_artifacts.push_back(ArtifactToValue(*a));
  }
  cond::Remove(obj, runtime::kIncludeUnavailableCondition);

  // Has anything that shapes the artifact's content changed since it was built?
  std::optional<std::string> spec_ignore = SpecIgnore(obj);
  const object::Value* observed_ignore = object::Find(obj, {"status", "observedIgnore"});
  const bool ignore_unchanged = spec_ignore ? (observed_ignore && observed_ignore->is_string() &&
                                               observed_ignore->get<std::string>() == *spec_ignore)
                                            : (observed_ignore == nullptr || observed_ignore->is_null());
  const bool recurse_submodules = object::GetBool(obj, {"spec", "recurseSubmodules"});
  const std::vector<std::string> sparse = SpecSparseCheckout(obj);
  const object::Value* spec_include = object::Find(obj, {"spec", "include"});
  const object::Value* spec_sparse = object::Find(obj, {"spec", "sparseCheckout"});
  auto same_includes = [&]() {
    object::Value observed_artifacts = NullIfMissing(object::Find(obj, {"status", "includedArtifacts"}));
    if (includes.empty()) return observed_artifacts.is_null() || observed_artifacts.empty();
    if (!observed_artifacts.is_array() || observed_artifacts.size() != included_artifacts.size()) return false;
    for (size_t i = 0; i < included_artifacts.size(); ++i) {
      if (object::GetString(observed_artifacts[i], {"revision"}) !=
              object::GetString(included_artifacts[i], {"revision"}) ||
          object::GetString(observed_artifacts[i], {"digest"}) != object::GetString(included_artifacts[i], {"digest"}))
        return false;
    }
    return NullIfMissing(object::Find(obj, {"status", "observedInclude"})) == NullIfMissing(spec_include);
  }();
  const bool sparse_unchanged =
      NullIfMissing(object::Find(obj, {"status", "observedSparseCheckout"})) ==
      (sparse.empty() ? object::Value() : NullIfMissing(spec_sparse));
  const bool submodules_unchanged =
      object::GetBool(obj, {"status", "observedRecurseSubmodules"}) == recurse_submodules;
  const bool verify_configured = object::Find(obj, {"spec", "verify"}) != nullptr;
  const std::string verify_mode = VerifyMode(obj);
  const bool verification_pending =
      verify_configured && (!cond::IsTrue(obj, runtime::kSourceVerifiedCondition) ||
                            object::GetString(obj, {"status", "sourceVerificationMode"}) != verify_mode);
  const bool content_unchanged =
      ignore_unchanged && same_includes && sparse_unchanged && submodules_unchanged && !verification_pending;

  // Clone (an unchanged remote ref short-circuits before any object transfer).
  std::optional<FileLock> cache_lock;
  if (!cache_base.empty()) cache_lock.emplace(cache_base + ".lock");
  auto workdir = ScopedTempDir::Create(options_.tmp_dir, "gitrepository-" + request.ns + "-" + request.name + "-");
  if (!workdir.ok()) {
    return fail(runtime::kStorageOperationFailedCondition, "DirectoryCreationFailed",
                std::string(workdir.status().message()));
  }
  git::CloneOptions clone;
  clone.url = url;
  clone.reference = ReferenceFromSpec(obj);
  clone.auth = *auth;
  clone.timeout = std::chrono::duration_cast<std::chrono::seconds>(*timeout);
  clone.recurse_submodules = recurse_submodules;
  clone.sparse_checkout = sparse;
  clone.max_fetch_bytes = options_.git_max_fetch_bytes;
  clone.cache_dir = cache_dir;
  // The persistent work tree holds exactly one commit's checkout: included
  // artifacts are copied into a temporary checkout instead.
  clone.persistent_worktree = !cache_dir.empty() && includes.empty() && !recurse_submodules;
  const std::string checkout_dir = clone.persistent_worktree ? cache_base + ".worktree" : workdir->path();
  if (current && cond::IsTrue(obj, runtime::kArtifactInStorageCondition) && content_unchanged) {
    clone.last_observed_commit = current->revision;
  }
  auto cloned = git::Clone(clone, checkout_dir);
  if (!cloned.ok()) {
    const std::string detail(cloned.status().message());
    if (cloned.status().code() == absl::StatusCode::kFailedPrecondition && absl::StrContains(detail, "empty")) {
      return fail(runtime::kFetchFailedCondition, kEmptyGitRepository, "git repository is empty");
    }
    if (cloned.status().code() == absl::StatusCode::kInvalidArgument && absl::StartsWith(detail, "failed to configure proxy")) {
      return fail(runtime::kFetchFailedCondition, kAuthenticationFailed, detail);
    }
    if (cloned.status().code() == absl::StatusCode::kUnauthenticated) {
      return fail(runtime::kFetchFailedCondition, kAuthenticationFailed,
                  absl::StrCat("failed to checkout and determine revision: ", detail));
    }
    return fail(runtime::kFetchFailedCondition, kGitOperationFailed,
                absl::StrCat("failed to checkout and determine revision: ", detail));
  }
  const std::string revision = cloned->revision;

  if (cloned->unchanged && current && current->revision == revision) {
    cond::Remove(obj, runtime::kFetchFailedCondition);
    events_->Trace(obj, kGitOperationSucceeded,
                   absl::StrCat("no changes since last reconciliation: observed revision '", revision, "'"));
    cond::Remove(obj, runtime::kArtifactOutdatedCondition);
    cond::MarkTrue(obj, runtime::kArtifactInStorageCondition, runtime::kSucceededReason,
                   absl::StrCat("stored artifact for revision '", revision, "'"));
    if (hub_ != nullptr) hub_->Publish(source_ref, ToRpc(*current));
    return finish(Result::RequeueAfter(*interval));
  }

  // Sparse checkout: every listed directory must exist.
  for (std::string dir : sparse) {
    while (absl::StartsWith(dir, "./")) dir.erase(0, 2);
    std::error_code ec;
    if (!fs::exists(fs::path(checkout_dir) / dir, ec)) {
      return fail(runtime::kFetchFailedCondition, kGitOperationFailed,
                  absl::StrCat("failed to sparse checkout directories : sparse checkout dir '", dir,
                               "' does not exist in repository"));
    }
  }
  cond::Remove(obj, runtime::kFetchFailedCondition);

  // Signature verification (spec §3.6).
  if (verify_configured) {
    VerificationKeys keys;
    const std::string secret_name = object::GetString(obj, {"spec", "verify", "secretRef", "name"});
    auto secret = GetSecret(*client_, request.ns, secret_name);
    if (!secret.ok()) {
      std::string msg = absl::StrCat("failed to verify signature: ", secret.status().message());
      cond::MarkFalse(obj, runtime::kSourceVerifiedCondition, kVerificationError, msg);
      events_->Warning(obj, kVerificationError, msg);
      return finish(Result::Error(absl::UnavailableError(msg)));
    }
    for (const auto& [k, v] : *secret) {
      if (!absl::EndsWith(k, ".sshpub")) {
        keys.pgp.push_back(v);
        continue;
      }
      if (auto parsed = git::ParseAuthorizedKeys(v); !parsed.ok()) {
        std::string msg = absl::StrCat("failed to verify signature: invalid SSH public keys in '", k, "' of secret '",
                                       request.ns, "/", secret_name, "': ", parsed.status().message());
        cond::MarkFalse(obj, runtime::kSourceVerifiedCondition, kVerificationError, msg);
        events_->Warning(obj, kVerificationError, msg);
        return finish(Result::Error(absl::InvalidArgumentError(msg)));
      }
      keys.ssh.push_back(v);
    }
    const git::Reference ref = ReferenceFromSpec(obj);
    const bool tag_ref = ref.commit.empty() && (!ref.tag.empty() || !ref.semver.empty() ||
                                                absl::StartsWith(ref.name, "refs/tags/"));
    VerifyOutcome outcome = VerifySignatures(verify_mode, keys, *cloned, tag_ref);
    if (!outcome.ok) {
      cond::MarkFalse(obj, runtime::kSourceVerifiedCondition, outcome.reason, outcome.message);
      events_->Warning(obj, outcome.reason, outcome.message);
      if (outcome.stalled) {
        cond::MarkStalled(obj, outcome.reason, outcome.message);
        return finish(Result{});
      }
      return finish(Result::Error(absl::PermissionDeniedError(outcome.message)));
    }
    cond::MarkTrue(obj, runtime::kSourceVerifiedCondition, outcome.reason, outcome.message);
    object::Ensure(obj, {"status", "sourceVerificationMode"}) = verify_mode;
  } else {
    cond::Remove(obj, runtime::kSourceVerifiedCondition);
    object::Erase(obj, {"status", "sourceVerificationMode"});
  }

  if (current && current->revision != revision) {
    std::string msg = absl::StrCat("new upstream revision '", revision, "'");
    cond::MarkTrue(obj, runtime::kArtifactOutdatedCondition, kNewRevision, msg);
    cond::MarkReconciling(obj, runtime::kProgressingReason, "building artifact: " + msg);
    cond::MarkUnknown(obj, runtime::kReadyCondition, runtime::kProgressingReason, "building artifact: " + msg);
    (void)patcher.PatchNow(obj);
  } else if (current && !same_includes) {
    std::string msg = "included artifacts differ from last observed includes";
    cond::MarkTrue(obj, runtime::kArtifactOutdatedCondition, kIncludeChange, msg);
    cond::MarkReconciling(obj, runtime::kProgressingReason, "building artifact: " + msg);
    (void)patcher.PatchNow(obj);
  }

  // Includes: copy fromPath of each included artifact to toPath.
  for (size_t i = 0; i < includes.size(); ++i) {
    const Include& inc = includes[i];
    auto unpack = ScopedTempDir::Create(options_.tmp_dir, "include-");
    if (!unpack.ok()) {
      return fail(runtime::kStorageOperationFailedCondition, "DirectoryCreationFailed",
                  std::string(unpack.status().message()));
    }
    if (absl::Status s = storage_->Verify(include_files[i]); !s.ok()) {
      return fail(runtime::kStorageOperationFailedCondition, "CopyFailure",
                  absl::StrCat("failed to copy '", inc.repository, "' include: ", s.message()));
    }
    if (absl::Status s = artifact::UntarFile(storage_->LocalPath(include_files[i]), unpack->path()); !s.ok()) {
      return fail(runtime::kStorageOperationFailedCondition, "CopyFailure",
                  absl::StrCat("failed to copy '", inc.repository, "' include: ", s.message()));
    }
    auto from = SecureJoin(unpack->path(), inc.from_path);
    auto to = SecureJoin(checkout_dir, inc.to_path);
    if (!from.ok() || !to.ok()) {
      return fail(runtime::kStorageOperationFailedCondition, "IllegalPath",
                  absl::StrCat("path calculation for include '", inc.repository,
                               "' failed: ", (!from.ok() ? from : to).status().message()));
    }
    if (absl::Status s = CopyTree(*from, *to); !s.ok()) {
      return fail(runtime::kStorageOperationFailedCondition, "CopyFailure",
                  absl::StrCat("failed to copy '", inc.repository, "' include from ", inc.from_path, " to ",
                               inc.to_path, ": ", s.message()));
    }
  }

  // Artifact: archive with the ignore rules and store atomically.
  const std::string subject = CommitSubject(cloned->message);
  bool had_same = current && current->revision == revision && content_unchanged && storage_->Exists(*current);
  if (!had_same) {
    auto matcher = artifact::IgnoreMatcher::ForGitRepository(checkout_dir, spec_ignore);
    if (!matcher.ok()) {
      return fail(runtime::kStorageOperationFailedCondition, "SourceIgnoreError",
                  absl::StrCat("failed to load source ignore patterns from repository: ",
                               std::string(matcher.status().message())));
    }
    artifact::Artifact next =
        storage_->NewArtifactFor(kKind, request.ns, request.name, revision, cloned->commit + ".tar.gz");
    // Unchanged files reuse their compressed entries (keyed by Git blob id);
    // not with includes, whose files may replace checked-out ones.
    const auto& blob_ids = cloned->blob_ids;
    artifact::ArchiveCacheOptions archive_cache{cache_base + ".entries", [&blob_ids](std::string_view path) {
                                                  auto it = blob_ids.find(std::string(path));
                                                  return it == blob_ids.end() ? std::string() : it->second;
                                                }};
    const bool use_archive_cache = !cache_base.empty() && includes.empty() && !blob_ids.empty();
    auto stored = storage_->Archive(next, checkout_dir, artifact::FilterFrom(*matcher),
                                    use_archive_cache ? &archive_cache : nullptr);
    if (!stored.ok()) {
      return fail(runtime::kStorageOperationFailedCondition, kArchiveOperationFailed,
                  absl::StrCat("unable to archive artifact to storage: ", std::string(stored.status().message())));
    }
    current = *stored;
    object::Ensure(obj, {"status", "artifact"}) = ArtifactToValue(*current);
    events_->Normal(obj, "NewArtifact", absl::StrCat("stored artifact for commit '", subject, "'"),
                    {{std::string(kRevisionMetaKey), current->revision}, {std::string(kDigestMetaKey), current->digest}});
  } else {
    events_->Trace(obj, kArtifactUpToDate, absl::StrCat("artifact up-to-date with remote revision: '", revision, "'"));
    if (cond::IsFalse(obj, runtime::kReadyCondition)) {
      events_->Normal(obj, runtime::kSucceededReason, absl::StrCat("stored artifact for commit '", subject, "'"),
                      {{std::string(kRevisionMetaKey), current->revision}, {std::string(kDigestMetaKey), current->digest}});
    }
  }
  // Record what the stored artifact was built from.
  if (spec_ignore) {
    object::Ensure(obj, {"status", "observedIgnore"}) = *spec_ignore;
  } else {
    object::Erase(obj, {"status", "observedIgnore"});
  }
  object::Ensure(obj, {"status", "observedRecurseSubmodules"}) = recurse_submodules;
  if (includes.empty()) {
    object::Erase(obj, {"status", "includedArtifacts"});
    object::Erase(obj, {"status", "observedInclude"});
  } else {
    object::Ensure(obj, {"status", "includedArtifacts"}) = included_artifacts;
    object::Ensure(obj, {"status", "observedInclude"}) = *spec_include;
  }
  if (sparse.empty()) {
    object::Erase(obj, {"status", "observedSparseCheckout"});
  } else {
    object::Ensure(obj, {"status", "observedSparseCheckout"}) = *spec_sparse;
  }
  cond::Remove(obj, runtime::kArtifactOutdatedCondition);
  cond::Remove(obj, runtime::kStorageOperationFailedCondition);
  cond::MarkTrue(obj, runtime::kArtifactInStorageCondition, runtime::kSucceededReason,
                 absl::StrCat("stored artifact for revision '", revision, "'"));
  if (hub_ != nullptr) hub_->Publish(source_ref, ToRpc(*current));
  return finish(Result::RequeueAfter(*interval));
}

}  // namespace fluxcpp::source
