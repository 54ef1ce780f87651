#include "libs/artifact/untar.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/artifact/absl_compat.h"
#include "libs/artifact/gzip_reader.h"
#include "libs/artifact/tar_reader.h"

namespace fluxcpp::artifact {
namespace {

absl::Status Errno(std::string_view what, std::string_view path) {
  return absl::InternalError(absl::StrCat(AV(what), " '", AV(path), "': ", std::strerror(errno)));
}

// Splits an entry name into clean components, or fails for unsafe names.
absl::StatusOr<std::vector<std::string>> SafeComponents(const std::string& name) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("tar contained invalid name '", name, "'"));
  };
  if (name.empty() || name.find('\0') != std::string::npos || name.front() == '/' ||
      name.front() == '\\') {
    return invalid();
  }
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(name, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return invalid();
    parts.emplace_back(part);
  }
  return parts;
}

// Ensures every component of `parts[0..n)` below `dest` is a real directory,
// creating missing ones; refuses to traverse symlinks or files.
absl::Status EnsureDirs(const std::string& dest, const std::vector<std::string>& parts, size_t n) {
  std::string path = dest;
  for (size_t i = 0; i < n; ++i) {
    path += "/" + parts[i];
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      return absl::InvalidArgumentError(
          absl::StrCat("tar entry path '", parts[i], "' conflicts with an existing non-directory"));
    }
    if (errno != ENOENT) return Errno("failed to stat", path);
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
      return Errno("failed to create directory", path);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Untar(ByteSource& source, const std::string& dest_dir, const UntarOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dest_dir, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("failed to create '", dest_dir, "': ", ec.message()));
  std::string dest = dest_dir;
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();

  std::unique_ptr<GzipReader> gz;
  ByteSource* input = &source;
  if (options.gzip) {
    gz = std::make_unique<GzipReader>(source);
    input = gz.get();
  }
  TarReader reader(*input);
  int64_t total = 0;
  char buf[64 * 1024];
  while (true) {
    auto next = reader.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) break;
    const TarEntry& entry = **next;
    if (entry.type != TarEntry::Type::kRegular && entry.type != TarEntry::Type::kDirectory)
      continue;
    auto parts = SafeComponents(entry.name);
    if (!parts.ok()) return parts.status();
    if (parts->empty()) continue;  // "./" root entry
    if (entry.type == TarEntry::Type::kDirectory) {
      absl::Status s = EnsureDirs(dest, *parts, parts->size());
      if (!s.ok()) return s;
      std::string path = dest;
      for (const auto& p : *parts) path += "/" + p;
      ::chmod(path.c_str(), (entry.mode & 0755) | 0700);
      continue;
    }
    absl::Status s = EnsureDirs(dest, *parts, parts->size() - 1);
    if (!s.ok()) return s;
    std::string path = dest;
    for (const auto& p : *parts) path += "/" + p;
    if (options.max_size > 0 && total + entry.size > options.max_size) {
      return absl::ResourceExhaustedError(
          absl::StrCat("tar exceeds the maximum untar size of ", options.max_size, " bytes"));
    }
    // A later entry for the same name replaces the earlier file; never write
    // through a symlink or into a directory.
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("tar entry '", entry.name, "' conflicts with an existing non-file"));
    }
    const mode_t mode = (entry.mode & 0755) | 0600;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return Errno("failed to create", entry.name);
    absl::Status ws;
    while (ws.ok()) {
      auto n = reader.ReadData(buf, sizeof(buf));
      if (!n.ok()) {
        ws = n.status();
        break;
      }
      if (*n == 0) break;
      total += static_cast<int64_t>(*n);
      FdSink sink(fd);
      ws = sink.Write(std::string_view(buf, *n));
    }
    if (ws.ok() && ::fchmod(fd, mode) != 0) ws = Errno("failed to chmod", entry.name);
    if (::close(fd) != 0 && ws.ok()) ws = Errno("failed to close", entry.name);
    if (!ws.ok()) return ws;
  }
  return absl::OkStatus();
}

absl::Status UntarFile(const std::string& archive_path, const std::string& dest_dir,
                       const UntarOptions& options) {
  int fd = ::open(archive_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return absl::NotFoundError(absl::StrCat("archive '", archive_path, "' not found"));
    return Errno("failed to open", archive_path);
  }
  FdSource source(fd);
  absl::Status s = Untar(source, dest_dir, options);
  ::close(fd);
  return s;
}

}  // namespace fluxcpp::artifact
