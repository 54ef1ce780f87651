#pragma once
// The artifact store of a source controller (spec §2.2, §2.6): files under a
// root directory, written atomically, addressed by a URL on the advertised
// host, verified by digest, garbage collected per object.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/artifact/archive_builder.h"
#include "libs/artifact/artifact.h"
#include "libs/artifact/byte_stream.h"

namespace fluxcpp::artifact {

// Host (or URL prefix) for artifact URLs, from --storage-adv-addr and
// --storage-addr: a non-empty adv-addr wins; otherwise the storage address
// with an empty host → "localhost", "0.0.0.0" → $HOSTNAME or the OS hostname.
// "[::]" is treated like 0.0.0.0. Errors: kInvalidArgument for a malformed
// storage address.
absl::StatusOr<std::string> AdvertisedAddress(std::string_view storage_addr,
                                              std::string_view storage_adv_addr);

struct StorageOptions {
  std::string root;                         // --storage-path; created if missing
  std::string advertised_address;           // see AdvertisedAddress()
  std::string digest_algorithm = "sha256";  // --artifact-digest-algo
};

// Thread-safe for operations on different objects; callers serialise writes to
// one object (the controller never reconciles one object on two workers).
class Storage {
 public:
  // Errors: kInvalidArgument for a bad algorithm or empty root; kInternal if
  // the root cannot be created.
  static absl::StatusOr<std::unique_ptr<Storage>> Create(StorageOptions options);

  const std::string& root() const { return options_.root; }

  // "<kind lower-cased>/<ns>/<name>/<filename>".
  static std::string ArtifactPath(std::string_view kind, std::string_view ns, std::string_view name,
                                  std::string_view filename);
  // An artifact with path, url and revision set (no file is written).
  Artifact NewArtifactFor(std::string_view kind, std::string_view ns, std::string_view name,
                          std::string_view revision, std::string_view filename) const;
  // URL of a storage-relative path on the advertised address.
  std::string UrlFor(std::string_view path) const;
  // Absolute filesystem path of an artifact.
  std::string LocalPath(const Artifact& artifact) const;
  // Rewrites `artifact.url` to the current advertised address.
  void SetArtifactUrl(Artifact& artifact) const { artifact.url = UrlFor(artifact.path); }

  // Streams a deterministic tar.gz of `dir` (filtered) into the artifact's
  // file atomically. Returns `artifact` with digest, size and
  // last_update_time filled. `cache` (may be null) makes archiving
  // incremental without changing the bytes (archive_builder.h). Errors:
  // kInvalidArgument for an unsafe path, kInternal/kNotFound on I/O failures.
  absl::StatusOr<Artifact> Archive(const Artifact& artifact, const std::string& dir,
                                   const ArchiveFilter& filter = {},
                                   const ArchiveCacheOptions* cache = nullptr) const;
  // Atomically stores `data` as the artifact's file.
  absl::StatusOr<Artifact> WriteBytes(const Artifact& artifact, std::string_view data) const;
  // Atomically stores everything `source` yields.
  absl::StatusOr<Artifact> WriteFrom(const Artifact& artifact, ByteSource& source) const;
  // Atomically copies the file at `src_path`.
  absl::StatusOr<Artifact> CopyFromPath(const Artifact& artifact,
                                        const std::string& src_path) const;

  // True when the artifact's file exists as a regular file.
  bool Exists(const Artifact& artifact) const;
  // Re-hashes the file with the algorithm of the recorded digest.
  // Errors: kNotFound (missing file), kDataLoss (digest mismatch).
  absl::Status Verify(const Artifact& artifact) const;

  // Garbage collection of the artifact's directory (spec §2.6): never removes
  // `current`; removes other files whose mtime is older than `ttl`, then the
  // oldest remaining ones until at most `max_records` files (current
  // included) are left; also removes the matching ".lock" files. Lock files
  // and symlinks are not counted. Returns the storage-relative paths removed.
  absl::StatusOr<std::vector<std::string>> GarbageCollect(const Artifact& current,
                                                          std::chrono::nanoseconds ttl,
                                                          int max_records) const;
  // Removes the whole <kind>/<ns>/<name> directory; returns its relative path
  // if something was removed, "" otherwise.
  absl::StatusOr<std::string> RemoveAll(std::string_view kind, std::string_view ns,
                                        std::string_view name) const;

 private:
  explicit Storage(StorageOptions options) : options_(std::move(options)) {}
  // Creates the parent directory and a temp file next to the artifact, lets
  // `fill` write into it, fsyncs, chmods 0600 and renames into place.
  absl::StatusOr<Artifact> WriteAtomically(
      const Artifact& artifact, const std::function<absl::Status(ByteSink&)>& fill) const;

  StorageOptions options_;
};

}  // namespace fluxcpp::artifact
