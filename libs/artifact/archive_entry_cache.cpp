#include "libs/artifact/archive_entry_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "libs/artifact/deflate_segment.h"

namespace fluxcpp::artifact {
namespace {

// File: header line "<magic> <segment format>\n", then records of
// u32 key length, u32 crc, u64 size, u64 compressed length (little endian),
// key bytes, compressed bytes.
constexpr std::string_view kMagic = "fluxcpp-archive-entry-cache/1 ";

std::string Header() { return std::string(kMagic) + kSegmentFormat + "\n"; }

template <typename T>
void Put(std::string& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

template <typename T>
bool Get(std::string_view& in, T* v) {
  if (in.size() < sizeof(T)) return false;
  T r = 0;
  for (size_t i = 0; i < sizeof(T); ++i) r |= static_cast<T>(static_cast<unsigned char>(in[i])) << (8 * i);
  in.remove_prefix(sizeof(T));
  *v = r;
  return true;
}

bool ReadFile(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (ok) {
    out->resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < out->size()) {
      ssize_t n = ::read(fd, out->data() + got, out->size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ok = false;
        break;
      }
      got += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

ArchiveEntryCache::ArchiveEntryCache(std::string path) : path_(std::move(path)) {
  if (!ReadFile(path_, &contents_)) {
    contents_.clear();
    return;
  }
  std::string_view in = contents_;
  const std::string header = Header();
  if (in.substr(0, header.size()) != header) {
    contents_.clear();
    return;
  }
  in.remove_prefix(header.size());
  while (!in.empty()) {
    uint32_t key_len = 0, crc = 0;
    uint64_t size = 0, compressed = 0;
    if (!Get(in, &key_len) || !Get(in, &crc) || !Get(in, &size) || !Get(in, &compressed) ||
        in.size() < key_len || in.size() - key_len < compressed) {
      index_.clear();  // truncated or corrupt: trust nothing
      return;
    }
    std::string_view key = in.substr(0, key_len);
    in.remove_prefix(key_len);
    index_[key] = CachedSegment{crc, size, in.substr(0, compressed)};
    in.remove_prefix(compressed);
  }
}

const CachedSegment* ArchiveEntryCache::Find(std::string_view key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &it->second;
}

void ArchiveEntryCache::Keep(std::string_view key, const CachedSegment& segment) {
  std::string_view data = segment.data;
  const bool loaded = !contents_.empty() && data.data() >= contents_.data() &&
                      data.data() + data.size() <= contents_.data() + contents_.size();
  if (!loaded) {
    owned_.emplace_back(data);
    data = owned_.back();
  }
  kept_.push_back(Kept{std::string(key), segment.crc, segment.size, data});
}

absl::Status ArchiveEntryCache::Save() {
  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return absl::InternalError(absl::StrCat("failed to create '", tmp, "': ", std::strerror(errno)));
  std::string buf = Header();
  bool ok = true;
  auto flush = [&] {
    size_t done = 0;
    while (ok && done < buf.size()) {
      ssize_t n = ::write(fd, buf.data() + done, buf.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ok = false;
      else done += static_cast<size_t>(n);
    }
    buf.clear();
  };
  for (const Kept& k : kept_) {
    Put<uint32_t>(buf, static_cast<uint32_t>(k.key.size()));
    Put<uint32_t>(buf, k.crc);
    Put<uint64_t>(buf, k.size);
    Put<uint64_t>(buf, k.data.size());
    buf.append(k.key);
    buf.append(k.data);
    if (buf.size() > 256 * 1024) flush();
  }
  flush();
  const int saved_errno = errno;
  if (::close(fd) != 0) ok = false;
  if (ok && ::rename(tmp.c_str(), path_.c_str()) != 0) ok = false;
  if (!ok) {
    ::unlink(tmp.c_str());
    return absl::InternalError(
        absl::StrCat("failed to write archive cache '", path_, "': ", std::strerror(saved_errno)));
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::artifact
