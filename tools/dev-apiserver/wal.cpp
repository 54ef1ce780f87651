#include "tools/dev-apiserver/wal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace fluxcpp::devapiserver {
namespace {

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

uint32_t Crc(const std::string& data) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status WriteAll(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", path);
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status SyncDir(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? std::string(".") : parent.string();
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("open", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("fsync", dir);
  return absl::OkStatus();
}

}  // namespace

std::string Wal::Encode(const Record& record) {
  std::string payload;
  payload.reserve(13 + record.key.size() + record.value.size());
  PutU64(payload, static_cast<uint64_t>(record.rv));
  payload.push_back(static_cast<char>(record.op));
  PutU32(payload, static_cast<uint32_t>(record.key.size()));
  payload += record.key;
  payload += record.value;
  std::string out;
  out.reserve(8 + payload.size());
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU32(out, Crc(payload));
  out += payload;
  return out;
}

Wal::Wal(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), file_size_(size) {}

Wal::~Wal() {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<std::unique_ptr<Wal>> Wal::Open(const std::string& path, const std::function<void(Record&&)>& replay,
                                               ReplayStats* stats) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Errno("stat", path);
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::pread(fd, data.data() + got, data.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Errno("read", path);
    }
    got += static_cast<size_t>(n);
  }
  uint64_t good = 0, records = 0;
  while (good + 8 <= data.size()) {
    uint32_t len = GetU32(data.data() + good);
    uint32_t crc = GetU32(data.data() + good + 4);
    if (len < 13 || good + 8 + len > data.size()) break;
    std::string payload = data.substr(good + 8, len);
    if (Crc(payload) != crc) break;
    uint32_t key_len = GetU32(payload.data() + 9);
    if (13 + static_cast<uint64_t>(key_len) > len) break;
    Record rec;
    rec.rv = static_cast<int64_t>(GetU64(payload.data()));
    rec.op = static_cast<Op>(payload[8]);
    rec.key = payload.substr(13, key_len);
    rec.value = payload.substr(13 + key_len);
    replay(std::move(rec));
    ++records;
    good += 8 + len;
  }
  uint64_t truncated = data.size() - good;
  if (truncated > 0) {
    if (::ftruncate(fd, static_cast<off_t>(good)) != 0 || ::fsync(fd) != 0) {
      ::close(fd);
      return Errno("truncate", path);
    }
  }
  if (::lseek(fd, static_cast<off_t>(good), SEEK_SET) < 0) {
    ::close(fd);
    return Errno("seek", path);
  }
  if (stats != nullptr) *stats = {records, truncated};
  return std::unique_ptr<Wal>(new Wal(path, fd, good));
}

absl::StatusOr<uint64_t> Wal::Append(const Record& record) {
  std::string bytes = Encode(record);
  int fd;
  {
    absl::MutexLock lock(&mu_);
    fd = fd_;
  }
  // Appends are serialized by the caller; Rewrite (also serialized with us)
  // is the only writer of fd_, so using it unlocked here is safe.
  absl::Status st = WriteAll(fd, bytes, path_);
  absl::MutexLock lock(&mu_);
  if (!st.ok()) {
    // Drop any partial record so the log stays well-formed.
    (void)::ftruncate(fd_, static_cast<off_t>(file_size_));
    (void)::lseek(fd_, static_cast<off_t>(file_size_), SEEK_SET);
    return st;
  }
  file_size_ += bytes.size();
  written_ += bytes.size();
  return written_;
}

absl::Status Wal::Sync(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  while (synced_ < ticket) {
    if (syncing_) {
      cv_.Wait(&mu_);
      continue;
    }
    syncing_ = true;
    uint64_t target = written_;
    int fd = fd_;
    mu_.Unlock();
    int rc = ::fdatasync(fd);
    int err = errno;
    mu_.Lock();
    syncing_ = false;
    cv_.SignalAll();
    if (rc != 0) {
      errno = err;
      return Errno("fdatasync", path_);
    }
    if (target > synced_) synced_ = target;
  }
  return absl::OkStatus();
}

absl::Status Wal::Rewrite(const std::vector<Record>& records) {
  std::string tmp = path_ + ".compact";
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", tmp);
  std::string buffer;
  uint64_t size = 0;
  for (const Record& r : records) {
    buffer += Encode(r);
    if (buffer.size() > (1 << 20)) {
      if (absl::Status st = WriteAll(fd, buffer, tmp); !st.ok()) {
        ::close(fd);
        return st;
      }
      size += buffer.size();
      buffer.clear();
    }
  }
  if (absl::Status st = WriteAll(fd, buffer, tmp); !st.ok()) {
    ::close(fd);
    return st;
  }
  size += buffer.size();
  if (::fsync(fd) != 0) {
    ::close(fd);
    return Errno("fsync", tmp);
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    ::close(fd);
    return Errno("rename", tmp);
  }
  absl::Status dir = SyncDir(path_);
  if (::lseek(fd, static_cast<off_t>(size), SEEK_SET) < 0) {
    ::close(fd);
    return Errno("seek", tmp);
  }
  absl::MutexLock lock(&mu_);
  while (syncing_) cv_.Wait(&mu_);
  ::close(fd_);
  fd_ = fd;
  file_size_ = size;
  synced_ = written_;  // everything appended so far is in the fsynced snapshot
  return dir;
}

uint64_t Wal::size() const {
  absl::MutexLock lock(&mu_);
  return file_size_;
}

}  // namespace fluxcpp::devapiserver
