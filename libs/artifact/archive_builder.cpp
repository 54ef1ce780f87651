#include "libs/artifact/archive_builder.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/artifact/absl_compat.h"
#include "libs/artifact/archive_entry_cache.h"
#include "libs/artifact/deflate_segment.h"
#include "libs/artifact/tar_writer.h"

namespace fluxcpp::artifact {
namespace {

absl::Status Errno(std::string_view what, std::string_view path) {
  int err = errno;
  std::string msg = absl::StrCat(AV(what), " '", AV(path), "': ", std::strerror(err));
  return err == ENOENT ? absl::NotFoundError(msg) : absl::InternalError(msg);
}

// Largest entry whose compressed segment is kept in the cache.
constexpr int64_t kMaxCachedEntry = 1 << 20;
// Deflate's window: how much of the previous entry a segment may refer to.
constexpr size_t kWindow = 32 * 1024;
constexpr size_t kChunk = 256 * 1024;

// Writes one segment per entry. Each segment is primed with the uncompressed
// bytes of the previous entry (so small files compress about as well as in one
// stream); a cached segment is therefore keyed by its own entry and the
// previous one, and is only cached when both are known by key (directories
// by path, files by path, mode, size and content identity).
class Walker {
 public:
  Walker(const std::string& root, const ArchiveFilter& filter, SegmentedGzipWriter& gz,
         const ArchiveCacheOptions* cache_options, ArchiveEntryCache* cache)
      : root_(root), filter_(filter), gz_(gz), cache_options_(cache_options), cache_(cache) {
    prev_.key = "^";  // the start of the archive
    prev_.tail_valid = true;
  }

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
        absl::Status s = WriteDirectory(child);
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

  // The two zero blocks ending the archive, as their own segment.
  absl::Status WriteTrailer() {
    entry_.assign(2 * 512, '\0');
    return EmitWhole(entry_, {});
  }

 private:
  // The entry written last.
  struct Previous {
    std::string key;          // "" when its content is not known by key
    bool tail_valid = false;  // else re-read from rel/abs (a cached segment)
    std::string tail;         // its last kWindow uncompressed bytes
    std::string rel, abs;
    uint32_t mode = 0;
    int64_t size = 0;
  };

  static uint32_t ModeOf(const struct stat& st) { return (st.st_mode & 0111) != 0 ? 0700 : 0600; }

  static std::string FileKey(std::string_view rel, uint32_t mode, int64_t size, std::string_view id) {
    std::string key = "f";
    key.push_back('\0');
    key.append(rel);
    key.push_back('\0');
    absl::StrAppend(&key, mode);
    key.push_back('\0');
    absl::StrAppend(&key, size);
    key.push_back('\0');
    key.append(id);
    return key;
  }

  // Cache key of a segment for entry `own` after the previous entry; "" when
  // either is unknown.
  std::string SegmentKey(const std::string& own) const {
    if (own.empty() || prev_.key.empty()) return "";
    return own + std::string("\x01", 1) + prev_.key;
  }

  static void KeepTail(std::string& tail) {
    if (tail.size() > kWindow) tail.erase(0, tail.size() - kWindow);
  }

  // The previous entry's last uncompressed bytes (re-read when its segment
  // came from the cache; the caller guaranteed that file's content).
  absl::StatusOr<std::string_view> Dictionary() {
    if (prev_.tail_valid) return std::string_view(prev_.tail);
    std::string bytes;
    StringSink sink(bytes);
    TarWriter tar(sink);
    absl::Status s =
        tar.WriteHeader(TarEntryHeader{prev_.rel, TarEntryHeader::Type::kRegular, prev_.mode, prev_.size, 0});
    if (!s.ok()) return s;
    int fd = ::open(prev_.abs.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Errno("failed to open", prev_.rel);
    const size_t header = bytes.size();
    bytes.resize(header + static_cast<size_t>(prev_.size));
    size_t got = 0;
    while (got < static_cast<size_t>(prev_.size)) {
      ssize_t n = ::read(fd, bytes.data() + header + got, static_cast<size_t>(prev_.size) - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return absl::InternalError(absl::StrCat("file '", prev_.rel, "' changed while archiving"));
      }
      got += static_cast<size_t>(n);
    }
    ::close(fd);
    bytes.append(static_cast<size_t>((512 - prev_.size % 512) % 512), '\0');
    KeepTail(bytes);
    prev_.tail = std::move(bytes);
    prev_.tail_valid = true;
    return std::string_view(prev_.tail);
  }

  // Compresses `data` as one segment (primed with `dictionary`) and appends it.
  absl::Status EmitWhole(std::string_view data, std::string_view dictionary) {
    out_.clear();
    absl::Status s = compressor_.Begin(data.size(), dictionary);
    if (s.ok()) s = compressor_.Feed(data, out_);
    if (s.ok()) s = compressor_.End(out_);
    if (s.ok()) s = gz_.AppendCompressed(out_);
    if (s.ok()) gz_.AddInput(compressor_.crc(), compressor_.size());
    return s;
  }

  absl::Status WriteDirectory(const std::string& rel) {
    entry_.clear();
    StringSink sink(entry_);
    TarWriter tar(sink);
    absl::Status s = tar.WriteHeader(TarEntryHeader{rel, TarEntryHeader::Type::kDirectory, 0750, 0, 0});
    if (s.ok()) s = tar.FinishEntry();
    if (!s.ok()) return s;
    auto dictionary = Dictionary();
    if (!dictionary.ok()) return dictionary.status();
    s = EmitWhole(entry_, *dictionary);
    if (!s.ok()) return s;
    prev_ = Previous{};
    prev_.key = "d";
    prev_.key.push_back('\0');
    prev_.key.append(rel);
    prev_.tail_valid = true;
    prev_.tail = entry_;
    KeepTail(prev_.tail);
    return absl::OkStatus();
  }

  absl::Status WriteFile(const std::string& rel, const std::string& abs, const struct stat& lst) {
    std::string id;
    if (cache_ != nullptr && cache_options_->content_id && lst.st_size <= kMaxCachedEntry) {
      id = cache_options_->content_id(rel);
      const std::string own = id.empty() ? "" : FileKey(rel, ModeOf(lst), lst.st_size, id);
      const std::string key = SegmentKey(own);
      if (!key.empty()) {
        if (const CachedSegment* hit = cache_->Find(key)) {
          absl::Status s = gz_.AppendCompressed(hit->data);
          if (!s.ok()) return s;
          gz_.AddInput(hit->crc, hit->size);
          cache_->Keep(key, *hit);
          prev_ = Previous{own, false, "", rel, abs, ModeOf(lst), static_cast<int64_t>(lst.st_size)};
          return absl::OkStatus();
        }
      }
    }
    int fd = ::open(abs.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Errno("failed to open", rel);
    absl::Status s = CompressFile(rel, abs, fd, id);
    ::close(fd);
    return s;
  }

  // Compresses header, data and padding of one file entry as one segment;
  // caches it when its key is known and the entry is small enough.
  absl::Status CompressFile(const std::string& rel, const std::string& abs, int fd, const std::string& id) {
    // Size and mode from the open descriptor, so a concurrent change cannot
    // desync the header.
    struct stat fst;
    if (::fstat(fd, &fst) != 0) return Errno("failed to stat", rel);
    const uint32_t mode = ModeOf(fst);
    const int64_t size = static_cast<int64_t>(fst.st_size);
    const std::string own = id.empty() || size > kMaxCachedEntry ? "" : FileKey(rel, mode, size, id);
    const std::string key = SegmentKey(own);
    auto dictionary = Dictionary();
    if (!dictionary.ok()) return dictionary.status();
    entry_.clear();
    StringSink sink(entry_);
    TarWriter tar(sink);
    absl::Status s = tar.WriteHeader(TarEntryHeader{rel, TarEntryHeader::Type::kRegular, mode, size, 0});
    if (!s.ok()) return s;
    const size_t header_size = entry_.size();
    const int64_t pad = (512 - size % 512) % 512;
    out_.clear();
    s = compressor_.Begin(header_size + static_cast<uint64_t>(size + pad), *dictionary);
    if (!s.ok()) return s;
    tail_.clear();
    int64_t left = size;
    do {
      const size_t want = static_cast<size_t>(std::min<int64_t>(left, kChunk));
      const size_t old = entry_.size();
      entry_.resize(old + want);
      size_t got = 0;
      while (got < want) {
        ssize_t n = ::read(fd, entry_.data() + old + got, want - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Errno("failed to read", rel);
        if (n == 0) return absl::InternalError(absl::StrCat("file '", rel, "' shrank while archiving"));
        got += static_cast<size_t>(n);
      }
      left -= static_cast<int64_t>(want);
      if (left == 0) entry_.append(static_cast<size_t>(pad), '\0');
      s = compressor_.Feed(entry_, out_);
      if (!s.ok()) return s;
      tail_.append(entry_);
      KeepTail(tail_);
      entry_.clear();
      if (key.empty() && out_.size() >= kChunk) {
        s = gz_.AppendCompressed(out_);
        if (!s.ok()) return s;
        out_.clear();
      }
    } while (left > 0);
    s = compressor_.End(out_);
    if (s.ok()) s = gz_.AppendCompressed(out_);
    if (!s.ok()) return s;
    gz_.AddInput(compressor_.crc(), compressor_.size());
    if (!key.empty()) cache_->Keep(key, CachedSegment{compressor_.crc(), compressor_.size(), out_});
    prev_ = Previous{own, true, std::move(tail_), rel, abs, mode, size};
    tail_.clear();
    return absl::OkStatus();
  }

  const std::string& root_;
  const ArchiveFilter& filter_;
  SegmentedGzipWriter& gz_;
  const ArchiveCacheOptions* cache_options_;
  ArchiveEntryCache* cache_;
  SegmentCompressor compressor_;
  Previous prev_;
  std::string entry_;  // uncompressed bytes of the current entry (or chunk)
  std::string tail_;   // last kWindow uncompressed bytes of the current entry
  std::string out_;    // compressed bytes of the current segment
};

}  // namespace

ArchiveFilter FilterFrom(const IgnoreMatcher& matcher) {
  return [&matcher](std::string_view path, bool is_dir) {
    return matcher.MatchSelf(path, is_dir) == IgnoreMatcher::Result::kIgnored;
  };
}

absl::Status WriteTarGz(const std::string& root_dir, const ArchiveFilter& filter, ByteSink& sink,
                        const ArchiveCacheOptions* cache_options) {
  struct stat st;
  if (::stat(root_dir.c_str(), &st) != 0) return Errno("failed to stat", root_dir);
  if (!S_ISDIR(st.st_mode))
    return absl::InvalidArgumentError(absl::StrCat("'", root_dir, "' is not a directory"));
  std::string root = root_dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::optional<ArchiveEntryCache> cache;
  if (cache_options != nullptr && !cache_options->path.empty()) cache.emplace(cache_options->path);
  SegmentedGzipWriter gz(sink);
  Walker walker(root, filter, gz, cache_options, cache ? &*cache : nullptr);
  absl::Status s = walker.WalkDir("");
  if (s.ok()) s = walker.WriteTrailer();
  if (s.ok()) s = gz.Close();
  if (!s.ok()) return s;
  // Best effort: a cache that cannot be written only costs speed next time.
  if (cache) (void)cache->Save();
  return absl::OkStatus();
}

absl::StatusOr<std::string> BuildTarGz(const std::string& root_dir, const ArchiveFilter& filter) {
  std::string out;
  StringSink sink(out);
  absl::Status s = WriteTarGz(root_dir, filter, sink);
  if (!s.ok()) return s;
  return out;
}

}  // namespace fluxcpp::artifact
