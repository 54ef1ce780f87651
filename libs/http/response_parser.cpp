#include "libs/http/response_parser.h"

#include <algorithm>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/http/failure.h"

namespace fluxcpp::http {
namespace {

constexpr size_t kMaxChunkLine = 1024;
constexpr int kMaxInterimResponses = 16;

bool IsTchar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsTchar); }

// Field values and reason phrases: no control characters but HTAB.
bool IsFieldText(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The comma-separated elements of every `name` field, trimmed, empty ones
// dropped.
std::vector<std::string> ListValues(const ResponseHead& head, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : head.headers) {
    if (!absl::EqualsIgnoreCase(n, absl::string_view(name.data(), name.size()))) continue;
    for (absl::string_view part : absl::StrSplit(absl::string_view(v.data(), v.size()), ',')) {
      std::string_view t = TrimOws(std::string_view(part.data(), part.size()));
      if (!t.empty()) out.emplace_back(t);
    }
  }
  return out;
}

bool HasField(const ResponseHead& head, std::string_view name) { return head.Find(name) != nullptr; }

}  // namespace

const std::string* ResponseHead::Find(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (absl::EqualsIgnoreCase(n, absl::string_view(name.data(), name.size()))) return &v;
  }
  return nullptr;
}

absl::Status ResponseParser::Fail(std::string_view why) {
  state_ = State::kFailed;
  failure_ = MakeFailure(Failure::kProtocol, absl::StrCat("bad HTTP response: ", std::string(why)));
  return failure_;
}

bool ResponseParser::TakeLine(std::string_view& data, std::string& line, size_t limit, bool& too_long) {
  too_long = false;
  size_t lf = data.find('\n');
  if (lf == std::string_view::npos) {
    buffer_.append(data.data(), data.size());
    data = {};
    too_long = buffer_.size() > limit + 1;  // +1 for a CR
    return false;
  }
  buffer_.append(data.data(), lf);
  data.remove_prefix(lf + 1);
  line = std::move(buffer_);
  buffer_.clear();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  too_long = line.size() > limit;
  return true;
}

bool ResponseParser::Deliver(std::string_view bytes, const BodyCallback& on_body) {
  if (bytes.empty()) return true;
  body_bytes_ += bytes.size();
  if (on_body && !on_body(bytes)) {
    aborted_ = true;
    return false;
  }
  return true;
}

absl::Status ResponseParser::ParseHead(std::string_view text) {
  head_ = ResponseHead{};
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t lf = text.find('\n');
    std::string_view line = text.substr(0, lf);
    text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return Fail("empty status line");

  // HTTP/1.x SP 3DIGIT [SP reason]
  std::string_view status = lines.front();
  if (status.size() < 12 || status.substr(0, 7) != "HTTP/1." || (status[7] != '0' && status[7] != '1') ||
      status[8] != ' ') {
    return Fail("malformed status line");
  }
  head_.version_minor = status[7] - '0';
  int code = 0;
  for (int i = 9; i < 12; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(status[i]))) return Fail("malformed status code");
    code = code * 10 + (status[i] - '0');
  }
  if (code < 100) return Fail("malformed status code");
  head_.status = code;
  if (status.size() > 12) {
    if (status[12] != ' ') return Fail("malformed status line");
    std::string_view reason = status.substr(13);
    if (!IsFieldText(reason)) return Fail("control character in the reason phrase");
    head_.reason = std::string(reason);
  }

  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.empty()) return Fail("empty line inside the head");
    if (line.front() == ' ' || line.front() == '\t') return Fail("obsolete line folding");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Fail("header line without a colon");
    std::string_view name = line.substr(0, colon);
    if (!IsToken(name)) return Fail("invalid header name");
    std::string_view value = TrimOws(line.substr(colon + 1));
    if (!IsFieldText(value)) return Fail(absl::StrCat("control character in header ", std::string(name)));
    if (head_.headers.size() >= limits_.max_headers) return Fail("too many header fields");
    head_.headers.emplace_back(std::string(name), std::string(value));
  }
  return absl::OkStatus();
}

absl::Status ResponseParser::StartBody() {
  bool close = false;
  bool keep = false;
  for (const std::string& token : ListValues(head_, "Connection")) {
    if (absl::EqualsIgnoreCase(token, "close")) close = true;
    if (absl::EqualsIgnoreCase(token, "keep-alive")) keep = true;
  }
  keep_alive_ = !close && (head_.version_minor >= 1 || keep);

  const int s = head_.status;
  if (head_request_ || (s >= 100 && s < 200) || s == 204 || s == 304) {
    if (s == 101) keep_alive_ = false;  // the protocol changed; not ours to read
    state_ = State::kDone;
    return absl::OkStatus();
  }
  if (HasField(head_, "Transfer-Encoding")) {
    std::vector<std::string> codings = ListValues(head_, "Transfer-Encoding");
    if (codings.empty() || !absl::EqualsIgnoreCase(codings.back(), "chunked")) {
      return Fail("unsupported transfer coding (only chunked)");
    }
    if (codings.size() > 1) return Fail(absl::StrCat("unsupported transfer coding ", codings.front()));
    // With both framings, Transfer-Encoding wins but the connection is
    // suspect (request smuggling): do not reuse it.
    if (HasField(head_, "Content-Length")) keep_alive_ = false;
    state_ = State::kChunkSize;
    return absl::OkStatus();
  }
  if (HasField(head_, "Content-Length")) {
    std::vector<std::string> values = ListValues(head_, "Content-Length");
    if (values.empty()) return Fail("empty Content-Length");
    uint64_t length = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      const std::string& v = values[i];
      if (v.size() > 18 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Fail("invalid Content-Length");
      }
      uint64_t n = std::stoull(v);
      if (i > 0 && n != length) return Fail("conflicting Content-Length values");
      length = n;
    }
    remaining_ = length;
    state_ = length == 0 ? State::kDone : State::kFixedBody;
    return absl::OkStatus();
  }
  keep_alive_ = false;
  state_ = State::kUntilClose;
  return absl::OkStatus();
}

absl::Status ResponseParser::ParseChunkSize(std::string_view line) {
  uint64_t size = 0;
  size_t i = 0;
  for (; i < line.size(); ++i) {
    char c = line[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      break;
    }
    if (size > (std::numeric_limits<uint64_t>::max() >> 4)) return Fail("chunk size overflows");
    size = (size << 4) | static_cast<uint64_t>(digit);
  }
  if (i == 0) return Fail("malformed chunk size");
  std::string_view rest = TrimOws(line.substr(i));
  if (!rest.empty() && rest.front() != ';') return Fail("malformed chunk size");
  // Chunk extensions are ignored.
  if (size == 0) {
    state_ = State::kTrailers;
    trailer_bytes_ = 0;
  } else {
    remaining_ = size;
    state_ = State::kChunkData;
  }
  return absl::OkStatus();
}

absl::Status ResponseParser::Feed(std::string_view data, const BodyCallback& on_body) {
  if (state_ == State::kFailed) return failure_;
  std::string line;
  bool too_long = false;
  while (!data.empty() && !aborted_) {
    switch (state_) {
      case State::kHead: {
        const size_t old = buffer_.size();
        size_t take = std::min(data.size(), limits_.max_head + 1 - std::min(old, limits_.max_head));
        buffer_.append(data.data(), take);
        // The head ends at an empty line: "\n\n" or "\n\r\n".
        size_t end = std::string::npos;
        for (size_t i = old >= 2 ? old - 2 : 0; i < buffer_.size(); ++i) {
          if (buffer_[i] != '\n') continue;
          if (i + 1 < buffer_.size() && buffer_[i + 1] == '\n') {
            end = i + 2;
            break;
          }
          if (i + 2 < buffer_.size() && buffer_[i + 1] == '\r' && buffer_[i + 2] == '\n') {
            end = i + 3;
            break;
          }
        }
        if (end == std::string::npos || end > limits_.max_head) {
          if (buffer_.size() > limits_.max_head) {
            return Fail(absl::StrCat("response head larger than ", limits_.max_head, " bytes"));
          }
          data.remove_prefix(take);
          break;
        }
        data.remove_prefix(end - old);
        std::string text = std::move(buffer_);
        buffer_.clear();
        text.resize(end);
        if (absl::Status s = ParseHead(text); !s.ok()) return s;
        if (head_.status >= 100 && head_.status < 200 && head_.status != 101) {
          if (++interim_ > kMaxInterimResponses) return Fail("too many interim (1xx) responses");
          head_ = ResponseHead{};  // interim response: the real one follows
          break;
        }
        if (absl::Status s = StartBody(); !s.ok()) return s;
        break;
      }
      case State::kFixedBody: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kDone;
        if (!Deliver(data.substr(0, take), on_body)) return absl::OkStatus();
        data.remove_prefix(take);
        break;
      }
      case State::kChunkSize:
        if (!TakeLine(data, line, kMaxChunkLine, too_long)) {
          if (too_long) return Fail("chunk size line too long");
          break;
        }
        if (too_long) return Fail("chunk size line too long");
        if (absl::Status s = ParseChunkSize(line); !s.ok()) return s;
        break;
      case State::kChunkData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kChunkDataEnd;
        if (!Deliver(data.substr(0, take), on_body)) return absl::OkStatus();
        data.remove_prefix(take);
        break;
      }
      case State::kChunkDataEnd:
        if (!TakeLine(data, line, 0, too_long)) {
          if (too_long) return Fail("chunk data longer than its size");
          break;
        }
        if (too_long) return Fail("chunk data longer than its size");
        state_ = State::kChunkSize;
        break;
      case State::kTrailers: {
        bool got = TakeLine(data, line, limits_.max_head, too_long);
        if (too_long) return Fail("trailers too large");
        if (!got) {
          if (trailer_bytes_ + buffer_.size() > limits_.max_head) return Fail("trailers too large");
          break;
        }
        trailer_bytes_ += line.size() + 2;
        if (trailer_bytes_ > limits_.max_head) return Fail("trailers too large");
        if (line.empty()) {
          state_ = State::kDone;
          break;
        }
        if (line.front() == ' ' || line.front() == '\t') return Fail("obsolete line folding in trailers");
        size_t colon = line.find(':');
        if (colon == std::string::npos || !IsToken(std::string_view(line).substr(0, colon)) ||
            !IsFieldText(std::string_view(line).substr(colon + 1))) {
          return Fail("malformed trailer field");
        }
        break;  // trailers are not used
      }
      case State::kUntilClose:
        if (!Deliver(data, on_body)) return absl::OkStatus();
        data = {};
        break;
      case State::kDone:
        excess_ += data.size();
        data = {};
        break;
      case State::kFailed:
        return failure_;
    }
  }
  return absl::OkStatus();
}

absl::Status ResponseParser::FeedEof() {
  switch (state_) {
    case State::kUntilClose:
      state_ = State::kDone;
      return absl::OkStatus();
    case State::kDone:
      return absl::OkStatus();
    case State::kFailed:
      return failure_;
    case State::kHead:
      return MakeFailure(buffer_.empty() ? Failure::kClosedBeforeHead : Failure::kReadFailed,
                         buffer_.empty() ? "connection closed before the response"
                                         : "connection closed inside the response head");
    default:
      return MakeFailure(Failure::kReadFailed, "connection closed before the end of the response body");
  }
}

}  // namespace fluxcpp::http
