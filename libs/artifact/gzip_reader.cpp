#include "libs/artifact/gzip_reader.h"

#include <zlib.h>

namespace fluxcpp::artifact {

struct GzipReader::State {
  z_stream zs{};
  bool initialised = false;
  bool source_eof = false;
  bool done = false;
  bool member_started = false;  // input consumed in the current member
  int members = 0;              // members completed
  char in[64 * 1024];
};

GzipReader::GzipReader(ByteSource& source) : source_(source), state_(std::make_unique<State>()) {
  // 16 + 15: gzip framing only (zlib streams are not artifacts).
  if (inflateInit2(&state_->zs, 16 + 15) == Z_OK) state_->initialised = true;
}

GzipReader::~GzipReader() {
  if (state_->initialised) inflateEnd(&state_->zs);
}

absl::StatusOr<size_t> GzipReader::Read(char* buf, size_t len) {
  State& s = *state_;
  if (!s.initialised) return absl::InternalError("failed to initialise inflate");
  if (s.done || len == 0) return 0;
  z_stream& zs = s.zs;
  zs.next_out = reinterpret_cast<Bytef*>(buf);
  zs.avail_out = static_cast<uInt>(std::min<size_t>(len, 1u << 30));
  while (zs.avail_out == static_cast<uInt>(std::min<size_t>(len, 1u << 30))) {
    if (zs.avail_in == 0 && !s.source_eof) {
      auto n = source_.Read(s.in, sizeof(s.in));
      if (!n.ok()) return n.status();
      if (*n == 0) {
        s.source_eof = true;
      } else {
        zs.next_in = reinterpret_cast<Bytef*>(s.in);
        zs.avail_in = static_cast<uInt>(*n);
      }
    }
    if (zs.avail_in == 0 && s.source_eof) {
      if (s.member_started || s.members == 0) return absl::DataLossError("gzip: unexpected EOF");
      s.done = true;
      break;
    }
    s.member_started = true;
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      // Member finished; another may follow.
      s.member_started = false;
      ++s.members;
      if (inflateReset(&zs) != Z_OK) return absl::InternalError("inflate reset failed");
      continue;
    }
    if (rc == Z_BUF_ERROR) continue;  // needs more input
    if (rc != Z_OK) {
      return absl::DataLossError(std::string("gzip: ") +
                                 (zs.msg != nullptr ? zs.msg : "invalid data"));
    }
  }
  size_t produced = std::min<size_t>(len, 1u << 30) - zs.avail_out;
  return produced;
}

}  // namespace fluxcpp::artifact
