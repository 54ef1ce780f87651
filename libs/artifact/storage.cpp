#include "libs/artifact/storage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/artifact/absl_compat.h"
#include "libs/artifact/host_port.h"
#include "libs/core/digest.h"
#include "libs/core/logger.h"
#include "libs/core/path_safety.h"

namespace fluxcpp::artifact {

namespace fs = std::filesystem;

absl::StatusOr<std::string> AdvertisedAddress(std::string_view storage_addr,
                                              std::string_view storage_adv_addr) {
  if (!storage_adv_addr.empty()) return std::string(storage_adv_addr);
  auto hp = SplitHostPort(storage_addr);
  if (!hp.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("unable to parse storage address: ", hp.status().message()));
  std::string host = hp->host;
  if (host.empty()) {
    host = "localhost";
  } else if (host == "0.0.0.0" || host == "::") {
    const char* env = std::getenv("HOSTNAME");
    if (env != nullptr && *env != '\0') {
      host = env;
    } else {
      char buf[256] = {};
      if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') {
        return absl::InternalError("0.0.0.0 specified in storage addr but hostname is invalid");
      }
      host = buf;
    }
  }
  return JoinHostPort(host, hp->port);
}

namespace {

// Writes to a descriptor while hashing and counting.
class HashingFdSink : public ByteSink {
 public:
  HashingFdSink(int fd, Hasher hasher) : fd_sink_(fd), hasher_(std::move(hasher)) {}
  absl::Status Write(std::string_view data) override {
    hasher_.Update(data);
    size_ += static_cast<int64_t>(data.size());
    return fd_sink_.Write(data);
  }
  std::string Digest() { return absl::StrCat(hasher_.algorithm(), ":", hasher_.FinishHex()); }
  int64_t size() const { return size_; }

 private:
  FdSink fd_sink_;
  Hasher hasher_;
  int64_t size_ = 0;
};

absl::Status ErrnoStatus(std::string_view what, std::string_view path) {
  return absl::InternalError(absl::StrCat(AV(what), " '", AV(path), "': ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Storage>> Storage::Create(StorageOptions options) {
  if (options.root.empty()) return absl::InvalidArgumentError("storage path must not be empty");
  auto hasher = Hasher::Create(options.digest_algorithm);
  if (!hasher.ok()) return hasher.status();
  std::error_code ec;
  fs::create_directories(options.root, ec);
  if (ec)
    return absl::InternalError(
        absl::StrCat("failed to create storage path '", options.root, "': ", ec.message()));
  options.root = fs::absolute(options.root, ec).lexically_normal().string();
  while (options.root.size() > 1 && options.root.back() == '/') options.root.pop_back();
  return std::unique_ptr<Storage>(new Storage(std::move(options)));
}

std::string Storage::ArtifactPath(std::string_view kind, std::string_view ns, std::string_view name,
                                  std::string_view filename) {
  return absl::StrCat(absl::AsciiStrToLower(AV(kind)), "/", AV(ns), "/", AV(name), "/",
                      AV(filename));
}

Artifact Storage::NewArtifactFor(std::string_view kind, std::string_view ns, std::string_view name,
                                 std::string_view revision, std::string_view filename) const {
  Artifact a;
  a.path = ArtifactPath(kind, ns, name, filename);
  a.revision = std::string(revision);
  a.url = UrlFor(a.path);
  return a;
}

std::string Storage::UrlFor(std::string_view path) const {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  const std::string& host = options_.advertised_address;
  if (absl::StartsWith(host, "http://") || absl::StartsWith(host, "https://"))
    return absl::StrCat(host, "/", AV(path));
  return absl::StrCat("http://", host, "/", AV(path));
}

std::string Storage::LocalPath(const Artifact& artifact) const {
  return absl::StrCat(options_.root, "/", CleanPath(artifact.path));
}

absl::StatusOr<Artifact> Storage::WriteAtomically(
    const Artifact& artifact, const std::function<absl::Status(ByteSink&)>& fill) const {
  if (!IsSafeRelativePath(artifact.path) || CleanPath(artifact.path) != artifact.path) {
    return absl::InvalidArgumentError(absl::StrCat("invalid artifact path '", artifact.path, "'"));
  }
  const std::string final_path = LocalPath(artifact);
  const fs::path parent = fs::path(final_path).parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec)
    return absl::InternalError(
        absl::StrCat("failed to create directory '", parent.string(), "': ", ec.message()));

  std::string tmpl =
      (parent / ("." + fs::path(final_path).filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return ErrnoStatus("failed to create temporary file in", parent.string());
  auto hasher = Hasher::Create(options_.digest_algorithm);
  if (!hasher.ok()) {
    ::close(fd);
    ::unlink(tmpl.c_str());
    return hasher.status();
  }
  HashingFdSink sink(fd, std::move(*hasher));
  absl::Status st = fill(sink);
  if (st.ok() && ::fchmod(fd, 0600) != 0) st = ErrnoStatus("failed to chmod", tmpl);
  if (st.ok() && ::fsync(fd) != 0) st = ErrnoStatus("failed to sync", tmpl);
  if (::close(fd) != 0 && st.ok()) st = ErrnoStatus("failed to close", tmpl);
  if (st.ok() && ::rename(tmpl.c_str(), final_path.c_str()) != 0)
    st = ErrnoStatus("failed to rename", tmpl);
  if (!st.ok()) {
    ::unlink(tmpl.c_str());
    return st;
  }
  // Persist the rename itself.
  if (int dfd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  Artifact out = artifact;
  out.digest = sink.Digest();
  out.size = sink.size();
  out.last_update_time = NowRfc3339();
  out.url = UrlFor(out.path);
  return out;
}

absl::StatusOr<Artifact> Storage::Archive(const Artifact& artifact, const std::string& dir,
                                          const ArchiveFilter& filter,
                                          const ArchiveCacheOptions* cache) const {
  auto result = WriteAtomically(
      artifact, [&](ByteSink& sink) { return WriteTarGz(dir, filter, sink, cache); });
  if (!result.ok()) {
    return absl::Status(
        result.status().code(),
        absl::StrCat("unable to archive artifact to storage: ", result.status().message()));
  }
  return result;
}

absl::StatusOr<Artifact> Storage::WriteBytes(const Artifact& artifact,
                                             std::string_view data) const {
  return WriteAtomically(artifact, [&](ByteSink& sink) { return sink.Write(data); });
}

absl::StatusOr<Artifact> Storage::WriteFrom(const Artifact& artifact, ByteSource& source) const {
  return WriteAtomically(artifact, [&](ByteSink& sink) -> absl::Status {
    char buf[64 * 1024];
    while (true) {
      auto n = source.Read(buf, sizeof(buf));
      if (!n.ok()) return n.status();
      if (*n == 0) return absl::OkStatus();
      absl::Status st = sink.Write(std::string_view(buf, *n));
      if (!st.ok()) return st;
    }
  });
}

absl::StatusOr<Artifact> Storage::CopyFromPath(const Artifact& artifact,
                                               const std::string& src_path) const {
  int fd = ::open(src_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return absl::NotFoundError(absl::StrCat("file '", src_path, "' not found"));
    return ErrnoStatus("failed to open", src_path);
  }
  FdSource source(fd);
  auto result = WriteFrom(artifact, source);
  ::close(fd);
  return result;
}

bool Storage::Exists(const Artifact& artifact) const {
  if (!IsSafeRelativePath(artifact.path)) return false;
  struct stat st;
  return ::stat(LocalPath(artifact).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

absl::Status Storage::Verify(const Artifact& artifact) const {
  if (!IsSafeRelativePath(artifact.path)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid artifact path '", artifact.path, "'"));
  }
  if (!Exists(artifact))
    return absl::NotFoundError(absl::StrCat("artifact '", artifact.path, "' not found in storage"));
  std::string_view algorithm = "sha256";
  if (size_t colon = artifact.digest.find(':'); colon != std::string::npos) {
    algorithm = std::string_view(artifact.digest).substr(0, colon);
  }
  auto actual = FileDigest(LocalPath(artifact), algorithm);
  if (!actual.ok()) return actual.status();
  std::string expected = artifact.digest.find(':') == std::string::npos
                             ? "sha256:" + artifact.digest
                             : artifact.digest;
  if (*actual != expected) {
    return absl::DataLossError(
        absl::StrCat("computed digest doesn't match '", artifact.digest, "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Storage::GarbageCollect(const Artifact& current,
                                                                 std::chrono::nanoseconds ttl,
                                                                 int max_records) const {
  if (!IsSafeRelativePath(current.path)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid artifact path '", current.path, "'"));
  }
  const fs::path current_path = LocalPath(current);
  const fs::path dir = current_path.parent_path();
  const std::string rel_dir = fs::path(current.path).parent_path().string();
  std::error_code ec;
  if (!fs::exists(dir, ec)) return std::vector<std::string>{};

  struct Candidate {
    fs::path path;
    fs::file_time_type mtime;
  };
  std::vector<Candidate> files;
  constexpr int kWalkLimit = 1000;  // as Flux: bounded work per reconcile
  int walked = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end && walked < kWalkLimit;
       it.increment(ec)) {
    auto status = it->symlink_status(ec);
    if (ec || !fs::is_regular_file(status)) continue;  // symlinks and directories are not artifacts
    if (it->path().extension() == ".lock") continue;
    ++walked;
    auto mtime = fs::last_write_time(it->path(), ec);
    if (ec) continue;
    files.push_back({it->path(), mtime});
  }
  if (ec)
    return absl::InternalError(absl::StrCat("failed to list '", rel_dir, "': ", ec.message()));

  // Newest first; ties broken by name for determinism.
  std::sort(files.begin(), files.end(), [](const Candidate& a, const Candidate& b) {
    if (a.mtime != b.mtime) return a.mtime > b.mtime;
    return a.path < b.path;
  });
  const auto now = fs::file_time_type::clock::now();
  std::vector<fs::path> garbage;
  std::vector<fs::path> kept;
  for (const Candidate& c : files) {
    if (c.path == current_path) {
      kept.push_back(c.path);
    } else if (now - c.mtime > ttl) {
      garbage.push_back(c.path);
    } else {
      kept.push_back(c.path);
    }
  }
  // Enforce max_records over what is left, dropping the oldest non-current files.
  if (max_records < 1) max_records = 1;
  size_t remaining = kept.size();
  for (auto it = kept.rbegin(); it != kept.rend() && remaining > static_cast<size_t>(max_records);
       ++it) {
    if (*it == current_path) continue;
    garbage.push_back(*it);
    --remaining;
  }

  std::vector<std::string> deleted;
  absl::Status first_error;
  for (const fs::path& p : garbage) {
    if (p == current_path) continue;
    if (!fs::remove(p, ec) && ec) {
      if (first_error.ok())
        first_error = absl::InternalError(
            absl::StrCat("failed to remove '", p.filename().string(), "': ", ec.message()));
      continue;
    }
    fs::remove(fs::path(p.string() + ".lock"), ec);
    deleted.push_back(rel_dir + "/" + p.filename().string());
  }
  if (!first_error.ok()) return first_error;
  return deleted;
}

absl::StatusOr<std::string> Storage::RemoveAll(std::string_view kind, std::string_view ns,
                                               std::string_view name) const {
  std::string rel = absl::StrCat(absl::AsciiStrToLower(AV(kind)), "/", AV(ns), "/", AV(name));
  if (!IsSafeRelativePath(rel) || CleanPath(rel) != rel || ns.empty() || name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid artifact directory '", rel, "'"));
  }
  std::error_code ec;
  const fs::path dir = fs::path(options_.root) / rel;
  if (!fs::exists(fs::symlink_status(dir, ec))) return std::string();
  fs::remove_all(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("failed to remove '", rel, "': ", ec.message()));
  return rel;
}

}  // namespace fluxcpp::artifact
