#pragma once
// Independently compressed deflate segments and the gzip member made of them.
//
// A segment is raw deflate (level 6) started from a fresh compressor state
// (optionally primed with the bytes that precede it) and ended with a sync
// flush: byte aligned, no final-block bit. Its bytes therefore depend only on
// its input and dictionary (and the zlib build, see kSegmentFormat), so a
// segment compressed once can be copied verbatim into any later archive where
// the same bytes precede it. Concatenating segments, an empty final
// block and the CRC-32/ISIZE trailer gives one standard gzip member: the same
// inputs give the same bytes whether segments were reused or compressed anew.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/artifact/byte_stream.h"

namespace fluxcpp::artifact {

// Identifies the segment encoding (zlib version, level, parameters); cached
// segments from another format must not be reused.
extern const char* const kSegmentFormat;

// Compresses one segment at a time; reuses its zlib state between segments.
// Not thread-safe. Usage: Begin(size hint), Feed…, End.
class SegmentCompressor {
 public:
  SegmentCompressor();
  ~SegmentCompressor();
  SegmentCompressor(const SegmentCompressor&) = delete;
  SegmentCompressor& operator=(const SegmentCompressor&) = delete;

  // `expected_size` (the total input of the segment) selects the compressor
  // parameters, so it must be the same whenever the same input is compressed.
  // `dictionary` (its last 32 KiB are used) must be exactly the uncompressed
  // bytes that precede this segment in the stream: matches may then refer
  // back into them, and the segment depends on them as well as on its input.
  absl::Status Begin(uint64_t expected_size, std::string_view dictionary = {});
  // Appends compressed bytes for `data` to `out` (which the caller may drain
  // between calls).
  absl::Status Feed(std::string_view data, std::string& out);
  // Sync-flushes the segment into `out`.
  absl::Status End(std::string& out);
  // CRC-32 and length of the input fed since Begin.
  uint32_t crc() const { return crc_; }
  uint64_t size() const { return size_; }

 private:
  struct State;
  absl::Status Run(std::string_view data, int flush, std::string& out);
  std::unique_ptr<State> state_;
  uint32_t crc_ = 0;
  uint64_t size_ = 0;
};

// Writes a gzip member (fixed header as GzipWriter) from segments into
// `sink`, buffering writes. Close() must be called.
class SegmentedGzipWriter {
 public:
  explicit SegmentedGzipWriter(ByteSink& sink);
  SegmentedGzipWriter(const SegmentedGzipWriter&) = delete;
  SegmentedGzipWriter& operator=(const SegmentedGzipWriter&) = delete;

  // Compressed bytes of a segment (possibly in several pieces).
  absl::Status AppendCompressed(std::string_view bytes);
  // Accounts for the uncompressed input of a finished segment.
  void AddInput(uint32_t crc, uint64_t size);
  // Final empty block, trailer, flush.
  absl::Status Close();

 private:
  absl::Status Flush();
  ByteSink& sink_;
  std::string buffer_;
  uint32_t crc_ = 0;
  uint64_t isize_ = 0;
  bool closed_ = false;
};

}  // namespace fluxcpp::artifact
