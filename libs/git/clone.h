#pragma once
// Clone/checkout of one Git reference with libgit2, as fluxcd/pkg/git does for
// GitRepository: only the objects of the wanted ref are fetched (libgit2 1.5
// has no shallow clone), no tags unless the ref needs them, and a no-op
// short-circuit when the remote ref still points at the last observed commit.

#include <chrono>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/git/auth_options.h"
#include "libs/git/reference.h"

namespace fluxcpp::git {

struct CloneOptions {
  // git://, http://, https://, ssh:// URL or a local path / file:// URL.
  std::string url;
  Reference reference;
  AuthOptions auth;
  // Deadline for the whole operation: bounds connect, every read and write
  // (deadline_stream.h) and is checked while data flows.
  std::chrono::seconds timeout{60};
  // Revision of the stored artifact (any Flux revision form). For branch,
  // tag and name refs: if the remote ref still resolves to exactly this
  // revision, nothing is fetched and the result has `unchanged` set.
  std::string last_observed_commit;
  // Initialise and update all submodules recursively, with the same auth.
  bool recurse_submodules = false;
  // Directories to check out (others are left out); empty = everything.
  // A leading "./" is trimmed. Existence is not checked here.
  std::vector<std::string> sparse_checkout;
  // Abort when the fetched pack data exceeds this many bytes (0 = no limit).
  int64_t max_fetch_bytes = 0;
  // Persistent fetch cache: a bare repository (created when missing, rebuilt
  // when corrupt) that keeps the objects of previous fetches, so a changed
  // remote costs an incremental fetch. The checkout is written from it into
  // dest_dir. Empty = fetch into dest_dir/.git. Ignored with
  // recurse_submodules (submodules need a work-tree repository). One cache
  // must not be used by two Clone calls at once.
  std::string cache_dir;
  // With cache_dir: dest_dir is a work tree kept between calls (it need not
  // be empty). It is moved from the commit it holds to the new one by a
  // tree-to-tree diff (only changed paths are written or removed), and
  // rebuilt from scratch when its state is unknown (first use, interrupted
  // update, other sparse_checkout). On `unchanged` it is left as it is.
  // Nothing else may write into it. See worktree.h.
  bool persistent_worktree = false;
};

// A signed Git object's detached signature and the bytes it signs.
struct SignedData {
  std::string signature;  // armored ("-----BEGIN PGP SIGNATURE-----" / SSH)
  std::string payload;
  bool signed_object() const { return !signature.empty(); }
};

struct CloneResult {
  std::string commit;       // 40-hex SHA-1 of the checked-out commit
  std::string ref_name;     // branch / tag / full ref name in the revision; "" for commit-only
  std::string revision;     // "main@sha1:<hex>", "v1.0.0@sha1:<hex>", "sha1:<hex>", ...
  std::string message;      // full commit message (empty when unchanged)
  std::string author;       // "Name <email>" (empty when unchanged)
  int64_t commit_time = 0;  // committer time, Unix seconds (0 when unchanged)
  bool unchanged = false;   // skipped by the last_observed_commit optimisation
  // Signature material (empty when unchanged or unsigned). `tag` is set only
  // when the checked-out ref is an annotated tag.
  SignedData commit_signature;
  bool annotated_tag = false;
  std::string tag_name;     // short tag name when the ref is a tag ("" otherwise)
  SignedData tag_signature;
  // With cache_dir (when not unchanged): relative path → 40-hex blob id of
  // every regular file of the checked-out commit (checkout applies no
  // filters, so the files' bytes are the blobs'). Lets archiving reuse work
  // for unchanged files (libs/artifact ArchiveCacheOptions).
  std::unordered_map<std::string, std::string> blob_ids;
};

// Fetches `options.reference` from `options.url` and checks it out into
// `dest_dir` (created if missing; must be empty unless persistent_worktree).
// On `unchanged` the directory is left as it was. Thread-safe (no shared state besides libgit2).
// Errors (messages name the URL, never credentials):
//   kNotFound           "unable to clone '<url>': reference 'refs/heads/x' not found",
//                       "no match found for semver: <c>", unknown commit
//   kFailedPrecondition "git repository is empty"; dest_dir not empty
//   kUnauthenticated    missing/rejected credentials, untrusted certificate
//   kUnavailable        unreachable remote, network/protocol failures
//   kInvalidArgument    bad URL, ref name or semver range
//   kDeadlineExceeded   the timeout passed ("... 'url': context deadline exceeded")
//   kResourceExhausted  the fetched data exceeded max_fetch_bytes
//   kUnauthenticated    also: unknown/mismatching SSH host key ("knownhosts: ..."),
//                       invalid or half-configured client TLS certificate
absl::StatusOr<CloneResult> Clone(const CloneOptions& options, const std::string& dest_dir);

struct RemoteRef {
  std::string name;    // full ref name, e.g. "refs/tags/v1.0.0", or "HEAD"
  std::string oid;     // what the ref points to (tag object for annotated tags)
  std::string peeled;  // commit of an annotated tag, else ""
};

// `git ls-remote`: every ref the remote advertises. Errors as Clone.
absl::StatusOr<std::vector<RemoteRef>> ListRemoteRefs(
    const std::string& url, const AuthOptions& auth,
    std::chrono::seconds timeout = std::chrono::seconds(60));

// The commit SHA `ref` resolves to on the remote (annotated tags peeled).
// `ref` is a full ref ("refs/heads/main"), "HEAD", or a short branch/tag name
// (branches are tried first). Errors: kNotFound when absent; others as Clone.
absl::StatusOr<std::string> ResolveRemoteRef(
    const std::string& url, const std::string& ref, const AuthOptions& auth,
    std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace fluxcpp::git
