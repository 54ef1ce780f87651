#include "libs/artifact/gzip_writer.h"

#include <zlib.h>

#include <string>

namespace fluxcpp::artifact {

struct GzipWriter::State {
  z_stream zs{};
  bool initialised = false;
};

GzipWriter::GzipWriter(ByteSink& sink, int level) : sink_(sink), state_(std::make_unique<State>()) {
  crc_ = static_cast<uint32_t>(crc32(0L, Z_NULL, 0));
  // Negative window bits: raw deflate; we write the gzip framing ourselves.
  if (deflateInit2(&state_->zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    init_status_ = absl::InternalError("failed to initialise deflate");
  } else {
    state_->initialised = true;
  }
}

GzipWriter::~GzipWriter() {
  if (state_->initialised) deflateEnd(&state_->zs);
}

absl::Status GzipWriter::Deflate(std::string_view data, int flush) {
  z_stream& zs = state_->zs;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  char out[64 * 1024];
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(out);
    zs.avail_out = sizeof(out);
    int rc = deflate(&zs, flush);
    if (rc == Z_STREAM_ERROR) return absl::InternalError("deflate failed");
    size_t produced = sizeof(out) - zs.avail_out;
    if (produced > 0) {
      absl::Status st = sink_.Write(std::string_view(out, produced));
      if (!st.ok()) return st;
    }
    if (flush == Z_FINISH) {
      if (rc == Z_STREAM_END) return absl::OkStatus();
    } else if (zs.avail_in == 0 && zs.avail_out != 0) {
      return absl::OkStatus();
    }
  }
}

absl::Status GzipWriter::Write(std::string_view data) {
  if (!init_status_.ok()) return init_status_;
  if (closed_) return absl::FailedPreconditionError("gzip writer is closed");
  if (!header_written_) {
    static constexpr char kHeader[10] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, '\xff'};
    absl::Status st = sink_.Write(std::string_view(kHeader, sizeof(kHeader)));
    if (!st.ok()) return st;
    header_written_ = true;
  }
  // zlib's uInt is 32-bit; feed large buffers in chunks.
  while (!data.empty()) {
    std::string_view chunk = data.substr(0, 1u << 30);
    crc_ = static_cast<uint32_t>(
        crc32(crc_, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(chunk.size())));
    isize_ += static_cast<uint32_t>(chunk.size());
    absl::Status st = Deflate(chunk, Z_NO_FLUSH);
    if (!st.ok()) return st;
    data.remove_prefix(chunk.size());
  }
  return absl::OkStatus();
}

absl::Status GzipWriter::Close() {
  if (closed_) return absl::OkStatus();
  if (!header_written_) {
    absl::Status st = Write({});
    if (!st.ok()) return st;
  }
  absl::Status st = Deflate({}, Z_FINISH);
  if (!st.ok()) return st;
  closed_ = true;
  char trailer[8];
  for (int i = 0; i < 4; ++i) trailer[i] = static_cast<char>((crc_ >> (8 * i)) & 0xff);
  for (int i = 0; i < 4; ++i) trailer[4 + i] = static_cast<char>((isize_ >> (8 * i)) & 0xff);
  return sink_.Write(std::string_view(trailer, sizeof(trailer)));
}

}  // namespace fluxcpp::artifact
