#include "libs/http/url.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fluxcpp::http {
namespace {

absl::Status Bad(std::string_view url, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid URL \"", std::string(url), "\": ", std::string(why)));
}

bool HasUnsafeCharacter(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Drops "." and ".." segments (RFC 3986 §5.2.4).
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (true) {
    size_t slash = path.find('/', begin);
    std::string part(path.substr(begin, slash == std::string_view::npos ? std::string_view::npos : slash - begin));
    const bool last = slash == std::string_view::npos;
    if (part == ".") {
      if (last) out.emplace_back();
    } else if (part == "..") {
      if (out.size() > 1) out.pop_back();
      if (last) out.emplace_back();
    } else {
      out.push_back(std::move(part));
    }
    if (last) break;
    begin = slash + 1;
  }
  std::string joined;
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) joined += '/';
    joined += out[i];
  }
  if (joined.empty() || joined.front() != '/') joined.insert(joined.begin(), '/');
  return joined;
}

// A host as RFC 3986 allows it: an IPv6 literal (what was between the
// brackets) or a reg-name / IPv4 address.
bool ValidHost(std::string_view host, bool bracketed) {
  if (host.empty()) return false;
  for (char ch : host) {
    auto c = static_cast<unsigned char>(ch);
    bool ok = bracketed ? (absl::ascii_isxdigit(c) || c == ':' || c == '.')
                        : (absl::ascii_isalnum(c) || std::string_view("-._~!$&'()*+,;=%").find(ch) != std::string_view::npos);
    if (!ok) return false;
  }
  return !bracketed || host.find(':') != std::string_view::npos;
}

}  // namespace

std::string Url::Origin() const {
  std::string out = absl::StrCat(https ? "https://" : "http://",
                                 host.find(':') != std::string::npos ? absl::StrCat("[", host, "]") : host);
  if (port != (https ? 443 : 80)) absl::StrAppend(&out, ":", port);
  return out;
}

absl::StatusOr<Url> ParseUrl(std::string_view url) {
  if (HasUnsafeCharacter(url)) return Bad(url, "spaces or control characters");
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return Bad(url, "not an absolute http(s) URL");
  std::string scheme = absl::AsciiStrToLower(std::string(url.substr(0, scheme_end)));
  Url out;
  if (scheme == "https") {
    out.https = true;
  } else if (scheme != "http") {
    return Bad(url, absl::StrCat("unsupported scheme \"", scheme, "\""));
  }
  std::string_view rest = url.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) return Bad(url, "user info is not supported");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad(url, "unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    if (!ValidHost(out.host, /*bracketed=*/true)) return Bad(url, "bad IPv6 address");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad(url, "bad host");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    if (!out.host.empty() && !ValidHost(out.host, /*bracketed=*/false)) return Bad(url, "bad host");
  }
  if (out.host.empty()) return Bad(url, "no host");
  out.host = absl::AsciiStrToLower(out.host);
  if (port_text.empty()) {
    out.port = out.https ? 443 : 80;
  } else if (!absl::SimpleAtoi(std::string(port_text), &out.port) || out.port <= 0 || out.port > 65535) {
    return Bad(url, "bad port");
  }
  std::string_view target = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  out.target = target.empty() || target.front() != '/' ? absl::StrCat("/", std::string(target)) : std::string(target);
  return out;
}

absl::StatusOr<Url> ResolveReference(const Url& base, std::string_view location) {
  if (HasUnsafeCharacter(location)) return Bad(location, "spaces or control characters");
  if (location.find("://") != std::string_view::npos) return ParseUrl(location);
  if (location.substr(0, 2) == "//") return ParseUrl(absl::StrCat(base.https ? "https:" : "http:", std::string(location)));
  if (size_t hash = location.find('#'); hash != std::string_view::npos) location = location.substr(0, hash);
  Url out = base;
  if (location.empty()) return out;
  if (location.front() == '?') {
    out.target = absl::StrCat(base.target.substr(0, base.target.find('?')), std::string(location));
    return out;
  }
  std::string_view query;
  if (size_t q = location.find('?'); q != std::string_view::npos) {
    query = location.substr(q);
    location = location.substr(0, q);
  }
  std::string path;
  if (location.front() == '/') {
    path = std::string(location);
  } else {
    std::string base_path = base.target.substr(0, base.target.find('?'));
    path = absl::StrCat(base_path.substr(0, base_path.rfind('/') + 1), std::string(location));
  }
  out.target = absl::StrCat(RemoveDotSegments(path), std::string(query));
  return out;
}

}  // namespace fluxcpp::http
