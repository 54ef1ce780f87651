#include "libs/http/request_parser.h"

#include <string>

namespace fluxcpp::http {
namespace {

// RFC 9110 §5.6.2 tchar.
bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return c != 0 &&
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn on each non-empty element of a comma-separated list (OWS trimmed).
template <typename Fn>
void ForEachListElement(std::string_view value, Fn fn) {
  while (true) {
    size_t comma = value.find(',');
    std::string_view item = TrimOws(value.substr(0, comma));
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

RequestParseResult Error(int status, std::string message) {
  RequestParseResult r;
  r.state = RequestParseResult::kError;
  r.error_status = status;
  r.error = std::move(message);
  return r;
}

// request-line = method SP request-target SP HTTP-version (single spaces).
bool ParseRequestLine(std::string_view line, RequestHead& head, RequestParseResult& err) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    err = Error(400, "malformed request line");
    return false;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) {
    err = Error(400, "malformed request method");
    return false;
  }
  if (target.empty() || target.front() != '/') {
    err = Error(400, "request target must be an absolute path (origin-form)");
    return false;
  }
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7f) {
      err = Error(400, "invalid character in request target");
      return false;
    }
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[5] < '0' ||
      version[5] > '9' || version[6] != '.' || version[7] < '0' || version[7] > '9') {
    err = Error(400, "malformed HTTP version");
    return false;
  }
  if (version[5] != '1') {
    err = Error(505, "HTTP version not supported");
    return false;
  }
  head.method = std::string(method);
  head.target = std::string(target);
  size_t q = target.find('?');
  head.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) head.query = std::string(target.substr(q + 1));
  // A later 1.x minor version is answered as 1.1 (RFC 9110 §2.5).
  head.version_minor = version[7] == '0' ? 0 : 1;
  head.keep_alive = head.version_minor == 1;
  return true;
}

// field-line = field-name ":" OWS field-value OWS
bool ParseHeaderLine(std::string_view line, RequestHead& head, RequestParseResult& err) {
  if (line.front() == ' ' || line.front() == '\t') {
    err = Error(400, "obsolete header line folding");
    return false;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
    err = Error(400, "malformed header field name");
    return false;
  }
  std::string_view value = TrimOws(line.substr(colon + 1));
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      err = Error(400, "invalid character in header field value");
      return false;
    }
  }
  head.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return true;
}

// Framing and connection semantics from the fields, once all are read.
bool Interpret(RequestHead& head, RequestParseResult& err) {
  int hosts = 0;
  bool has_transfer_encoding = false;
  std::string_view last_coding;
  bool close = false, keep_alive = false;
  for (const auto& [name, value] : head.headers) {
    if (EqualsNoCase(name, "host")) {
      ++hosts;
      head.host = value;
    } else if (EqualsNoCase(name, "content-length")) {
      if (value.empty() || value.size() > 18) {
        err = Error(400, "invalid Content-Length");
        return false;
      }
      uint64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') {
          err = Error(400, "invalid Content-Length");
          return false;
        }
        n = n * 10 + static_cast<uint64_t>(c - '0');
      }
      if (head.content_length.has_value() && *head.content_length != n) {
        err = Error(400, "conflicting Content-Length values");
        return false;
      }
      head.content_length = n;
    } else if (EqualsNoCase(name, "transfer-encoding")) {
      has_transfer_encoding = true;
      ForEachListElement(value, [&](std::string_view coding) { last_coding = coding; });
    } else if (EqualsNoCase(name, "connection")) {
      ForEachListElement(value, [&](std::string_view option) {
        if (EqualsNoCase(option, "close")) close = true;
        if (EqualsNoCase(option, "keep-alive")) keep_alive = true;
      });
    }
  }
  if (head.version_minor == 1 && hosts != 1) {
    err = Error(400, hosts == 0 ? "missing Host header" : "more than one Host header");
    return false;
  }
  if (hosts > 1) {
    err = Error(400, "more than one Host header");
    return false;
  }
  if (has_transfer_encoding) {
    if (head.version_minor == 0) {
      err = Error(400, "Transfer-Encoding in an HTTP/1.0 request");
      return false;
    }
    if (head.content_length.has_value()) {
      err = Error(400, "both Content-Length and Transfer-Encoding");
      return false;
    }
    if (!EqualsNoCase(last_coding, "chunked")) {
      err = Error(400, "Transfer-Encoding does not end in chunked");
      return false;
    }
    head.chunked = true;
  }
  if (close) {
    head.keep_alive = false;
  } else if (head.version_minor == 0) {
    head.keep_alive = keep_alive;
  }
  return true;
}

}  // namespace

const std::string* RequestHead::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsNoCase(n, name)) return &v;
  }
  return nullptr;
}

RequestParseResult ParseRequestHead(std::string_view data, const RequestParseLimits& limits) {
  RequestParseResult result;
  RequestHead& head = result.head;
  bool have_request_line = false;
  size_t pos = 0;
  while (true) {
    size_t nl = data.find('\n', pos);
    // Bytes of the head so far (the whole buffer when the line is unfinished).
    size_t head_bytes = nl == std::string_view::npos ? data.size() : nl + 1;
    if (head_bytes > limits.max_head_bytes) return Error(431, "request header section too large");
    if (nl == std::string_view::npos) return result;  // kIncomplete
    std::string_view line = data.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    for (unsigned char c : line) {
      if (c == '\r' || c == '\0') return Error(400, "bare CR or NUL in request head");
    }
    if (line.empty()) {
      if (!have_request_line) continue;  // empty lines before the request line
      if (!Interpret(head, result)) return result;
      result.state = RequestParseResult::kComplete;
      result.consumed = pos;
      return result;
    }
    if (!have_request_line) {
      if (!ParseRequestLine(line, head, result)) return result;
      have_request_line = true;
      continue;
    }
    if (head.headers.size() >= limits.max_headers) return Error(431, "too many header fields");
    if (!ParseHeaderLine(line, head, result)) return result;
  }
}

}  // namespace fluxcpp::http
