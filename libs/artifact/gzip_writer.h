#pragma once
// Deterministic gzip compression: a fixed 10-byte header (no name, mtime 0,
// XFL 0, OS 255 "unknown", as Go's compress/gzip writes it) followed by raw
// deflate at a fixed level, so equal input bytes give equal output bytes.

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "libs/artifact/byte_stream.h"

namespace fluxcpp::artifact {

// Compresses into `sink` (not owned; must outlive the writer). Not thread-safe.
// Close() must be called to flush the trailer; writing after Close fails.
class GzipWriter : public ByteSink {
 public:
  explicit GzipWriter(ByteSink& sink, int level = 6);
  ~GzipWriter() override;
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  absl::Status Write(std::string_view data) override;
  absl::Status Close();

 private:
  absl::Status Deflate(std::string_view data, int flush);

  struct State;
  ByteSink& sink_;
  std::unique_ptr<State> state_;
  absl::Status init_status_;
  bool header_written_ = false;
  bool closed_ = false;
  uint32_t crc_ = 0;
  uint32_t isize_ = 0;
};

}  // namespace fluxcpp::artifact
