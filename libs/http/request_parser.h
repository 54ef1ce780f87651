#pragma once
// Strict, bounded parsing of an HTTP/1.x request head (RFC 9112 §2-§6) for
// the small server in server.h. The input is untrusted: every byte is
// checked, nothing is allocated beyond the bytes given, and the head is
// refused once it exceeds `max_head_bytes`.
//
//   RequestParseResult r = ParseRequestHead(buffer);
//   switch (r.state) {
//     case RequestParseResult::kIncomplete: read more; break;
//     case RequestParseResult::kError: answer r.error_status, close; break;
//     case RequestParseResult::kComplete: buffer.erase(0, r.consumed); serve r.head; break;
//   }

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fluxcpp::http {

// A parsed request line and header section.
struct RequestHead {
  std::string method;     // case-sensitive token, e.g. "GET"
  std::string target;     // origin-form as sent: "/metrics?x=1"
  std::string path;       // target before '?'
  std::string query;      // target after the first '?' (without it); "" when none
  int version_minor = 1;  // HTTP/1.<version_minor>: 0 or 1
  // Header fields in arrival order, names as sent, values without the
  // surrounding whitespace.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string host;  // the Host field ("" only for HTTP/1.0 without one)
  // Whether the connection may serve another request after this one:
  // HTTP/1.1 unless "Connection: close", HTTP/1.0 only with "keep-alive".
  bool keep_alive = true;
  std::optional<uint64_t> content_length;  // Content-Length, when present
  bool chunked = false;                    // Transfer-Encoding ending in chunked

  // First value of the header `name` (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct RequestParseLimits {
  size_t max_head_bytes = 16 * 1024;  // request line + headers + blank line
  size_t max_headers = 100;
};

struct RequestParseResult {
  enum State { kIncomplete, kComplete, kError };
  State state = kIncomplete;
  RequestHead head;     // kComplete only
  size_t consumed = 0;  // kComplete: bytes of the head, up to and including the blank line
  // kError: the status to answer with (400, 431 head too large, 501 unknown
  // transfer coding, 505 version) and why.
  int error_status = 0;
  std::string error;
};

// Parses the head at the start of `data`. kIncomplete means no blank line
// yet and nothing invalid so far (and the bytes are within the limit):
// call again with more data. Empty lines before the request line are
// skipped (RFC 9112 §2.2). Lines end in CRLF or a bare LF; a bare CR, a NUL
// or another control character, obsolete line folding, whitespace before a
// header colon, conflicting Content-Length values, Content-Length together
// with Transfer-Encoding, and HTTP/1.1 without exactly one Host are errors.
RequestParseResult ParseRequestHead(std::string_view data, const RequestParseLimits& limits = {});

}  // namespace fluxcpp::http
