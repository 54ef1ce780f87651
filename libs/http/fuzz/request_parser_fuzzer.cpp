// Fuzzes the request-head parser with what an untrusted client sends. The
// first byte picks the head limit; the rest is the bytes received. Checks the
// parser's contract besides memory safety: a complete head is consumed within
// the limit, its path and query come from its target, every shorter prefix
// of it is incomplete, and re-parsing just the head gives the same result.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "libs/http/request_parser.h"

using namespace fluxcpp::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  RequestParseLimits limits;
  limits.max_head_bytes = 64 + static_cast<size_t>(data[0]) * 64;  // 64 B .. 16 KiB
  limits.max_headers = 1 + data[0] % 16;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  RequestParseResult r = ParseRequestHead(input, limits);
  switch (r.state) {
    case RequestParseResult::kIncomplete:
      if (input.size() > limits.max_head_bytes) std::abort();
      break;
    case RequestParseResult::kError:
      if (r.error_status < 400 || r.error_status > 599 || r.error.empty()) std::abort();
      break;
    case RequestParseResult::kComplete: {
      if (r.consumed == 0 || r.consumed > input.size() || r.consumed > limits.max_head_bytes)
        std::abort();
      if (r.head.headers.size() > limits.max_headers) std::abort();
      const RequestHead& h = r.head;
      if (h.path.empty() || h.path[0] != '/') std::abort();
      std::string rebuilt = h.query.empty() && h.target.find('?') == std::string::npos
                                ? h.path
                                : h.path + "?" + h.query;
      if (rebuilt != h.target) std::abort();
      if (h.version_minor != 0 && h.version_minor != 1) std::abort();
      if (h.chunked && h.content_length.has_value()) std::abort();
      std::string_view head = input.substr(0, r.consumed);
      RequestParseResult again = ParseRequestHead(head, limits);
      if (again.state != RequestParseResult::kComplete || again.consumed != r.consumed ||
          again.head.target != h.target || again.head.headers != h.headers ||
          again.head.keep_alive != h.keep_alive) {
        std::abort();
      }
      size_t cut = static_cast<size_t>(data[0]) * 131 % r.consumed;
      if (ParseRequestHead(head.substr(0, cut), limits).state != RequestParseResult::kIncomplete)
        std::abort();
      break;
    }
  }
  return 0;
}
