#pragma once
// Persistent cache of compressed tar entries for incremental archiving.
//
// Each record maps a key (entry path, mode, size and a content identity such
// as a Git blob id) to that entry's deflate segment (deflate_segment.h). The
// file holds exactly the records used by the last archive; it is replaced
// atomically by Save(). A missing, truncated or foreign-format file is
// treated as empty, so the cache can only make archiving faster, never
// change its bytes.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"

namespace fluxcpp::artifact {

struct CachedSegment {
  uint32_t crc = 0;    // CRC-32 of the uncompressed entry (header + data + padding)
  uint64_t size = 0;   // uncompressed length
  std::string_view data;  // compressed bytes (valid while the cache lives)
};

class ArchiveEntryCache {
 public:
  // Loads `path` (any problem yields an empty cache).
  explicit ArchiveEntryCache(std::string path);

  // The cached segment for `key`, or nullptr.
  const CachedSegment* Find(std::string_view key) const;
  // Records a segment for the next Save(); `data` is copied unless it points
  // into this cache's loaded contents.
  void Keep(std::string_view key, const CachedSegment& segment);
  // Writes the kept records to the cache file atomically (tmp + rename).
  absl::Status Save();

  size_t loaded_entries() const { return index_.size(); }

 private:
  struct Kept {
    std::string key;
    uint32_t crc;
    uint64_t size;
    std::string_view data;    // into contents_ or owned_
  };
  std::string path_;
  std::string contents_;  // the loaded file
  std::unordered_map<std::string_view, CachedSegment> index_;
  std::vector<Kept> kept_;
  std::deque<std::string> owned_;  // copies of new segments (stable addresses)
};

}  // namespace fluxcpp::artifact
