#pragma once
// Minimal deterministic tar writer: ustar headers, with a PAX extended header
// only when a name or size does not fit ustar. Writes exactly what it is given
// (the caller normalises owner/mode/mtime); no record padding beyond the two
// terminating zero blocks (as Go's archive/tar).

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/artifact/byte_stream.h"

namespace fluxcpp::artifact {

struct TarEntryHeader {
  enum class Type { kRegular, kDirectory };
  std::string name;  // relative slash path; directories get a trailing '/' added
  Type type = Type::kRegular;
  uint32_t mode = 0600;  // permission bits only
  int64_t size = 0;      // regular files only
  int64_t mtime = 0;
};

// Not thread-safe. `sink` is not owned and must outlive the writer.
// Usage: WriteHeader, then exactly `size` bytes via WriteData, repeat; Close.
class TarWriter {
 public:
  explicit TarWriter(ByteSink& sink) : sink_(sink) {}

  absl::Status WriteHeader(const TarEntryHeader& header);
  absl::Status WriteData(std::string_view data);
  // Pads the current entry to a block boundary (idempotent); WriteHeader and
  // Close do this implicitly.
  absl::Status FinishEntry();
  // Pads the last entry and writes the end-of-archive marker.
  absl::Status Close();

 private:

  ByteSink& sink_;
  int64_t remaining_ = 0;  // data bytes still owed for the current entry
  int64_t written_ = 0;    // data bytes written for the current entry
  bool closed_ = false;
};

}  // namespace fluxcpp::artifact
