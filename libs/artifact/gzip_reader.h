#pragma once
// Streaming gzip decompression over a ByteSource. Accepts concatenated gzip
// members (like Go's multistream reader) and verifies each member's CRC/size
// via zlib. Truncated or corrupt input is kDataLoss.

#include <memory>

#include "libs/artifact/byte_stream.h"

namespace fluxcpp::artifact {

// Not thread-safe. `source` is not owned and must outlive the reader.
class GzipReader : public ByteSource {
 public:
  explicit GzipReader(ByteSource& source);
  ~GzipReader() override;
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  absl::StatusOr<size_t> Read(char* buf, size_t len) override;

 private:
  struct State;
  ByteSource& source_;
  std::unique_ptr<State> state_;
};

}  // namespace fluxcpp::artifact
