#pragma once
// Append-only write-ahead log of store mutations.
//
// File format: a sequence of records, each
//   u32 payload_length (LE) | u32 crc32(payload) (LE) | payload
// with payload = i64 rv (LE) | u8 op | u32 key_length (LE) | key | value.
// On open the log is replayed; a torn or corrupt tail (short header, short
// payload, CRC mismatch — what kill -9 or a crash mid-write leaves) is
// truncated away, so every acknowledged write survives and nothing else does.
//
// Thread-safety: Append and Rewrite must be serialized by the caller (the
// store calls them under its lock); Sync may be called concurrently from any
// thread and implements group commit (one fdatasync covers every append
// made before it started).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace fluxcpp::devapiserver {

class Wal {
 public:
  enum class Op : uint8_t { kPut = 'P', kDelete = 'D', kRevision = 'R' };
  struct Record {
    int64_t rv = 0;
    Op op = Op::kPut;
    std::string key;
    std::string value;
  };

  struct ReplayStats {
    uint64_t records = 0;
    uint64_t truncated_bytes = 0;  // torn tail removed
  };

  // Opens (creating if needed) the log at `path`, calling `replay` for every
  // intact record in order, and truncating a torn tail.
  static absl::StatusOr<std::unique_ptr<Wal>> Open(const std::string& path,
                                                   const std::function<void(Record&&)>& replay,
                                                   ReplayStats* stats = nullptr);
  ~Wal();

  // Writes one record (no fsync). Returns a ticket (a monotonic count of
  // bytes ever appended, unaffected by Rewrite) to pass to Sync.
  absl::StatusOr<uint64_t> Append(const Record& record);
  // Blocks until every append up to `ticket` is on stable storage.
  absl::Status Sync(uint64_t ticket);
  // Atomically replaces the log with `records` (compaction): written to a
  // temporary file, fsynced, renamed over the log, directory fsynced.
  absl::Status Rewrite(const std::vector<Record>& records);
  // Current size of the log file in bytes.
  uint64_t size() const;

  // Encodes one record in the on-disk framing (exposed for tests).
  static std::string Encode(const Record& record);

 private:
  Wal(std::string path, int fd, uint64_t size);

  const std::string path_;
  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  int fd_ ABSL_GUARDED_BY(mu_);
  uint64_t file_size_ ABSL_GUARDED_BY(mu_);
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;  // tickets issued
  uint64_t synced_ ABSL_GUARDED_BY(mu_) = 0;   // tickets durable
  bool syncing_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace fluxcpp::devapiserver
