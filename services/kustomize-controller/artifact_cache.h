#pragma once
// Downloaded-and-extracted source artifacts kept on disk per (url, digest),
// so Kustomizations sharing a source (many paths of one monorepo, or the
// same app rendered many times) download and untar it once (spec §10.6 is
// otherwise unchanged: digest verified on download, fresh work dir per
// reconcile).
//
//   ArtifactCache cache("/tmp/kustomize-controller-artifacts-123", 16);
//   FLUX_RETURN_IF_ERROR(cache.Materialize(url, digest, work_dir, fetch_options));
//
// Materialize copies the cached tree into `dest_dir` (which the caller then
// owns and may modify: kustomization.yaml generation writes into it). A miss
// fetches with artifact::FetchArtifact into a staging dir under the root and
// renames it into place; concurrent misses for one key wait for a single
// download. Failures are not cached. At most `capacity` trees are kept; the
// least recently used is deleted once no copy from it is in progress.
// The root is emptied on construction and removed on destruction.
//
// Thread-safe.

#include <list>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "libs/artifact/fetcher.h"

namespace fluxcpp::kustomize_controller {

class ArtifactCache {
 public:
  ArtifactCache(std::string root, size_t capacity);
  ~ArtifactCache();
  ArtifactCache(const ArtifactCache&) = delete;
  ArtifactCache& operator=(const ArtifactCache&) = delete;

  // Puts the artifact's files into `dest_dir` (existing, empty). Errors are
  // FetchArtifact's (NotFound for a 404, DataLoss for a digest mismatch, ...)
  // or kInternal for filesystem failures.
  absl::Status Materialize(const std::string& url, const std::string& digest, const std::string& dest_dir,
                           const artifact::FetchOptions& options);

  // Removes `<parent>/<prefix><pid>` directories whose process is gone (a
  // controller killed before its cache's destructor ran).
  static void RemoveStaleRoots(const std::string& parent, const std::string& prefix);

  // Downloads so far (misses that fetched), for tests and metrics.
  int downloads() const;

 private:
  // One extracted tree; its directory is removed when the last holder lets go.
  struct Entry {
    std::string dir;
    bool ready = false;    // extraction finished successfully
    bool failed = false;   // the fetch failed (waiters retry themselves)
    ~Entry();
  };
  using EntryPtr = std::shared_ptr<Entry>;

  void Touch(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Evict() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string root_;
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::map<std::string, EntryPtr> entries_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> lru_ ABSL_GUARDED_BY(mu_);  // front = most recent
  int downloads_ ABSL_GUARDED_BY(mu_) = 0;
  int next_id_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace fluxcpp::kustomize_controller
