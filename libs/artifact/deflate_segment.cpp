#include "libs/artifact/deflate_segment.h"

#include <zlib.h>

namespace fluxcpp::artifact {
namespace {

constexpr int kLevel = 6;
// Small segments use a small hash table: resetting the compressor clears it,
// and 64 KiB per reset would dominate the cost of thousands of small files.
constexpr uint64_t kSmallSegment = 16 * 1024;
constexpr int kSmallMemLevel = 4;
constexpr int kLargeMemLevel = 8;
constexpr size_t kWriteBuffer = 256 * 1024;
constexpr size_t kWindow = 32 * 1024;

}  // namespace

const char* const kSegmentFormat = "deflate-segments/2 zlib-" ZLIB_VERSION " level-6 mem-4/8@16k dict-32k";

struct SegmentCompressor::State {
  z_stream small{};
  z_stream large{};
  bool small_ok = false;
  bool large_ok = false;
  z_stream* current = nullptr;
};

SegmentCompressor::SegmentCompressor() : state_(std::make_unique<State>()) {
  state_->small_ok =
      deflateInit2(&state_->small, kLevel, Z_DEFLATED, -15, kSmallMemLevel, Z_DEFAULT_STRATEGY) == Z_OK;
  state_->large_ok =
      deflateInit2(&state_->large, kLevel, Z_DEFLATED, -15, kLargeMemLevel, Z_DEFAULT_STRATEGY) == Z_OK;
}

SegmentCompressor::~SegmentCompressor() {
  if (state_->small_ok) deflateEnd(&state_->small);
  if (state_->large_ok) deflateEnd(&state_->large);
}

absl::Status SegmentCompressor::Begin(uint64_t expected_size, std::string_view dictionary) {
  const bool small = expected_size <= kSmallSegment;
  if (!(small ? state_->small_ok : state_->large_ok))
    return absl::InternalError("failed to initialise deflate");
  state_->current = small ? &state_->small : &state_->large;
  if (deflateReset(state_->current) != Z_OK) return absl::InternalError("deflate reset failed");
  if (!dictionary.empty()) {
    if (dictionary.size() > kWindow) dictionary = dictionary.substr(dictionary.size() - kWindow);
    if (deflateSetDictionary(state_->current, reinterpret_cast<const Bytef*>(dictionary.data()),
                             static_cast<uInt>(dictionary.size())) != Z_OK)
      return absl::InternalError("deflate dictionary failed");
  }
  crc_ = static_cast<uint32_t>(crc32(0L, Z_NULL, 0));
  size_ = 0;
  return absl::OkStatus();
}

absl::Status SegmentCompressor::Run(std::string_view data, int flush, std::string& out) {
  z_stream* zs = state_->current;
  if (zs == nullptr) return absl::FailedPreconditionError("segment not begun");
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs->avail_in = static_cast<uInt>(data.size());
  while (true) {
    const size_t room = deflateBound(zs, zs->avail_in) + 64;
    const size_t old = out.size();
    out.resize(old + room);
    zs->next_out = reinterpret_cast<Bytef*>(out.data() + old);
    zs->avail_out = static_cast<uInt>(room);
    const int rc = deflate(zs, flush);
    out.resize(old + room - zs->avail_out);
    if (rc == Z_STREAM_ERROR) return absl::InternalError("deflate failed");
    // Done once all input is consumed and the last call had output space left
    // (zlib's signal that a flush is complete).
    if (zs->avail_in == 0 && zs->avail_out != 0) return absl::OkStatus();
  }
}

absl::Status SegmentCompressor::Feed(std::string_view data, std::string& out) {
  while (!data.empty()) {
    std::string_view chunk = data.substr(0, 1u << 30);
    crc_ = static_cast<uint32_t>(
        crc32(crc_, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(chunk.size())));
    size_ += chunk.size();
    absl::Status st = Run(chunk, Z_NO_FLUSH, out);
    if (!st.ok()) return st;
    data.remove_prefix(chunk.size());
  }
  return absl::OkStatus();
}

absl::Status SegmentCompressor::End(std::string& out) {
  absl::Status st = Run({}, Z_SYNC_FLUSH, out);
  state_->current = nullptr;
  return st;
}

SegmentedGzipWriter::SegmentedGzipWriter(ByteSink& sink) : sink_(sink) {
  crc_ = static_cast<uint32_t>(crc32(0L, Z_NULL, 0));
  static constexpr char kHeader[10] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, '\xff'};
  buffer_.reserve(kWriteBuffer);
  buffer_.append(kHeader, sizeof(kHeader));
}

absl::Status SegmentedGzipWriter::Flush() {
  if (buffer_.empty()) return absl::OkStatus();
  absl::Status st = sink_.Write(buffer_);
  buffer_.clear();
  return st;
}

absl::Status SegmentedGzipWriter::AppendCompressed(std::string_view bytes) {
  if (closed_) return absl::FailedPreconditionError("gzip writer is closed");
  if (buffer_.size() + bytes.size() > kWriteBuffer) {
    absl::Status st = Flush();
    if (!st.ok()) return st;
    if (bytes.size() >= kWriteBuffer) return sink_.Write(bytes);
  }
  buffer_.append(bytes);
  return absl::OkStatus();
}

void SegmentedGzipWriter::AddInput(uint32_t crc, uint64_t size) {
  crc_ = static_cast<uint32_t>(crc32_combine(crc_, crc, static_cast<z_off_t>(size)));
  isize_ += size;
}

absl::Status SegmentedGzipWriter::Close() {
  if (closed_) return absl::OkStatus();
  // An empty fixed-Huffman block with the final bit: 0x03 0x00.
  buffer_.push_back('\x03');
  buffer_.push_back('\x00');
  const uint32_t isize = static_cast<uint32_t>(isize_);
  for (int i = 0; i < 4; ++i) buffer_.push_back(static_cast<char>((crc_ >> (8 * i)) & 0xff));
  for (int i = 0; i < 4; ++i) buffer_.push_back(static_cast<char>((isize >> (8 * i)) & 0xff));
  closed_ = true;
  return Flush();
}

}  // namespace fluxcpp::artifact
