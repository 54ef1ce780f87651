#pragma once
// Incremental HTTP/1.1 response parser for untrusted input. Bytes arrive in
// any split through Feed(); the head is parsed once complete, the body is
// handed to a callback as it is de-framed:
//   - Content-Length, chunked (chunk extensions ignored, trailers parsed and
//     dropped, sizes that overflow rejected), or read until the connection
//     closes when neither is given; no body for HEAD, 1xx, 204 and 304;
//   - interim 1xx responses (other than 101) are skipped, at most 16;
//   - strict status line (HTTP/1.0 or HTTP/1.1, three digits), header names
//     must be tokens, obs-fold and control characters are rejected;
//   - bounded: the head (and the trailers) at most Limits::max_head bytes,
//     at most Limits::max_headers fields, chunk-size lines at most 1 KiB.
// Any violation is a kProtocol failure (failure.h); the parser then stays
// failed.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace fluxcpp::http {

struct ResponseHead {
  int version_minor = 1;  // HTTP/1.<minor>
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // in order, values trimmed

  // The first value of header `name` (case-insensitive), or nullptr.
  const std::string* Find(std::string_view name) const;
};

class ResponseParser {
 public:
  struct Limits {
    size_t max_head = 64 * 1024;
    size_t max_headers = 128;
  };
  // Body bytes; return false to stop parsing (Feed then returns OK with
  // the rest of its input unconsumed and aborted() true).
  using BodyCallback = std::function<bool(std::string_view)>;

  explicit ResponseParser(bool head_request = false) : ResponseParser(head_request, Limits{}) {}
  ResponseParser(bool head_request, Limits limits) : head_request_(head_request), limits_(limits) {}

  // Consumes `data`. Bytes after the end of the response are counted in
  // excess_bytes() (the connection is then not reusable).
  absl::Status Feed(std::string_view data, const BodyCallback& on_body);
  // The connection closed: completes a read-to-close body, or reports
  // truncation.
  absl::Status FeedEof();

  bool head_complete() const { return state_ > State::kHead; }
  bool complete() const { return state_ == State::kDone; }
  bool aborted() const { return aborted_; }
  const ResponseHead& head() const { return head_; }
  // The server keeps the connection open after this response: HTTP/1.1
  // without "Connection: close" (HTTP/1.0 with "keep-alive"), a body framed
  // by length or chunks, nothing extra received.
  bool keep_alive() const { return keep_alive_ && excess_ == 0; }
  size_t excess_bytes() const { return excess_; }
  // Body bytes delivered so far.
  uint64_t body_bytes() const { return body_bytes_; }

 private:
  enum class State { kHead, kFixedBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailers, kUntilClose, kDone, kFailed };

  absl::Status Fail(std::string_view why);
  absl::Status ParseHead(std::string_view head);
  absl::Status StartBody();
  absl::Status ParseChunkSize(std::string_view line);
  // Takes one line (without its LF, CR stripped) from buffer_+data when
  // complete; false when more input is needed.
  bool TakeLine(std::string_view& data, std::string& line, size_t limit, bool& too_long);
  bool Deliver(std::string_view bytes, const BodyCallback& on_body);

  const bool head_request_;
  const Limits limits_;
  State state_ = State::kHead;
  ResponseHead head_;
  std::string buffer_;  // a partial head or line
  uint64_t remaining_ = 0;  // of the fixed body or the current chunk
  size_t trailer_bytes_ = 0;
  int interim_ = 0;  // 1xx responses skipped
  bool keep_alive_ = false;
  bool aborted_ = false;
  size_t excess_ = 0;
  uint64_t body_bytes_ = 0;
  absl::Status failure_;
};

}  // namespace fluxcpp::http
