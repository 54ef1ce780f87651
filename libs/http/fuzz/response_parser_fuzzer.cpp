// libFuzzer target: arbitrary bytes as an HTTP response, fed whole and again
// in pieces whose sizes come from the input. Both feeds must agree on the
// outcome and the body, and the parser's bounds must hold.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "libs/http/response_parser.h"

namespace {

struct Outcome {
  bool ok = false;
  bool complete = false;
  int status = 0;
  std::string body;
};

Outcome Run(std::string_view input, bool head_request, const uint8_t* splits, size_t n_splits) {
  fluxcpp::http::ResponseParser parser(head_request);
  Outcome out;
  auto on_body = [&](std::string_view b) {
    out.body.append(b.data(), b.size());
    return true;
  };
  absl::Status s;
  size_t i = 0;
  while (s.ok() && !input.empty()) {
    size_t piece = n_splits == 0 ? input.size() : 1 + splits[i++ % n_splits] % 64;
    piece = std::min(piece, input.size());
    s = parser.Feed(input.substr(0, piece), on_body);
    input.remove_prefix(piece);
  }
  if (s.ok()) s = parser.FeedEof();
  out.ok = s.ok();
  out.complete = parser.complete();
  out.status = parser.head_complete() ? parser.head().status : 0;
  if (parser.head_complete() && parser.head().headers.size() > 128) std::abort();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool head_request = (data[0] & 1) != 0;
  const size_t n_splits = std::min<size_t>(size - 1, data[0] >> 4);
  const uint8_t* splits = data + 1;
  std::string_view input(reinterpret_cast<const char*>(data + 1 + n_splits), size - 1 - n_splits);
  Outcome whole = Run(input, head_request, nullptr, 0);
  Outcome pieces = Run(input, head_request, splits, n_splits);
  if (whole.ok != pieces.ok || whole.complete != pieces.complete || whole.status != pieces.status ||
      whole.body != pieces.body) {
    std::abort();
  }
  if (whole.ok && !whole.complete) std::abort();
  return 0;
}
