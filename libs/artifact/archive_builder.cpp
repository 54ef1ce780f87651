#include "libs/artifact/archive_builder.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/artifact/absl_compat.h"
#include "libs/artifact/gzip_writer.h"
#include "libs/artifact/tar_writer.h"

namespace fluxcpp::artifact {
namespace {

absl::Status Errno(std::string_view what, std::string_view path) {
  int err = errno;
  std::string msg = absl::StrCat(AV(what), " '", AV(path), "': ", std::strerror(err));
  return err == ENOENT ? absl::NotFoundError(msg) : absl::InternalError(msg);
}

class Walker {
 public:
  Walker(const std::string& root, const ArchiveFilter& filter, TarWriter& tar)
      : root_(root), filter_(filter), tar_(tar) {}

  absl::Status WalkDir(const std::string& rel) {
    const std::string abs = rel.empty() ? root_ : root_ + "/" + rel;
    DIR* dir = ::opendir(abs.c_str());
    if (dir == nullptr) return Errno("failed to open directory", rel.empty() ? "." : rel);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* ent = ::readdir(dir)) {
      std::string_view name = ent->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int read_errno = errno;
    ::closedir(dir);
    if (read_errno != 0) {
      errno = read_errno;
      return Errno("failed to read directory", rel.empty() ? "." : rel);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string child = rel.empty() ? name : rel + "/" + name;
      const std::string child_abs = root_ + "/" + child;
      struct stat st;
      if (::lstat(child_abs.c_str(), &st) != 0) return Errno("failed to stat", child);
      if (S_ISDIR(st.st_mode)) {
        if (name == ".git") continue;
        if (filter_ && filter_(child, true)) continue;
        TarEntryHeader header{child, TarEntryHeader::Type::kDirectory, 0750, 0, 0};
        absl::Status s = tar_.WriteHeader(header);
        if (!s.ok()) return s;
        s = WalkDir(child);
        if (!s.ok()) return s;
      } else if (S_ISREG(st.st_mode)) {
        if (filter_ && filter_(child, false)) continue;
        absl::Status s = WriteFile(child, child_abs, st);
        if (!s.ok()) return s;
      }
      // Symlinks, sockets, devices and FIFOs are skipped.
    }
    return absl::OkStatus();
  }

 private:
  absl::Status WriteFile(const std::string& rel, const std::string& abs, const struct stat& st) {
    int fd = ::open(abs.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Errno("failed to open", rel);
    // Size from the open descriptor, so a concurrent change cannot desync the header.
    struct stat fst;
    if (::fstat(fd, &fst) != 0) {
      ::close(fd);
      return Errno("failed to stat", rel);
    }
    const uint32_t mode = (fst.st_mode & 0111) != 0 ? 0700 : 0600;
    TarEntryHeader header{rel, TarEntryHeader::Type::kRegular, mode,
                          static_cast<int64_t>(fst.st_size), 0};
    absl::Status s = tar_.WriteHeader(header);
    int64_t left = fst.st_size;
    char buf[64 * 1024];
    while (s.ok() && left > 0) {
      ssize_t n = ::read(fd, buf, static_cast<size_t>(std::min<int64_t>(left, sizeof(buf))));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        s = Errno("failed to read", rel);
      } else if (n == 0) {
        s = absl::InternalError(absl::StrCat("file '", rel, "' shrank while archiving"));
      } else {
        s = tar_.WriteData(std::string_view(buf, static_cast<size_t>(n)));
        left -= n;
      }
    }
    ::close(fd);
    (void)st;
    return s;
  }

  const std::string& root_;
  const ArchiveFilter& filter_;
  TarWriter& tar_;
};

}  // namespace

ArchiveFilter FilterFrom(const IgnoreMatcher& matcher) {
  return [&matcher](std::string_view path, bool is_dir) {
    return matcher.MatchSelf(path, is_dir) == IgnoreMatcher::Result::kIgnored;
  };
}

absl::Status WriteTarGz(const std::string& root_dir, const ArchiveFilter& filter, ByteSink& sink) {
  struct stat st;
  if (::stat(root_dir.c_str(), &st) != 0) return Errno("failed to stat", root_dir);
  if (!S_ISDIR(st.st_mode))
    return absl::InvalidArgumentError(absl::StrCat("'", root_dir, "' is not a directory"));
  std::string root = root_dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  GzipWriter gz(sink);
  TarWriter tar(gz);
  Walker walker(root, filter, tar);
  absl::Status s = walker.WalkDir("");
  if (!s.ok()) return s;
  s = tar.Close();
  if (!s.ok()) return s;
  return gz.Close();
}

absl::StatusOr<std::string> BuildTarGz(const std::string& root_dir, const ArchiveFilter& filter) {
  std::string out;
  StringSink sink(out);
  absl::Status s = WriteTarGz(root_dir, filter, sink);
  if (!s.ok()) return s;
  return out;
}

}  // namespace fluxcpp::artifact
