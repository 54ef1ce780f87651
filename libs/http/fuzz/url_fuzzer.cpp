// libFuzzer target for URL handling: the first line is parsed as a URL, the
// rest as a Location header resolved against it (or against a fixed base).
// Beyond memory safety it checks the contracts callers rely on:
//   - a parsed URL prints as a URL that parses back to the same parts;
//   - a target always starts with '/' and carries no fragment;
//   - nothing with spaces or control characters is ever accepted.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "libs/http/url.h"

namespace {

using fluxcpp::http::Url;

bool Clean(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

void CheckUrl(const Url& url) {
  if (url.target.empty() || url.target.front() != '/') std::abort();
  if (url.target.find('#') != std::string::npos) std::abort();
  if (url.port <= 0 || url.port > 65535 || url.host.empty()) std::abort();
  const std::string printed = url.String();
  if (!Clean(printed)) std::abort();
  auto again = fluxcpp::http::ParseUrl(printed);
  if (!again.ok() || again->https != url.https || again->host != url.host || again->port != url.port ||
      again->target != url.target) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string_view first = input.substr(0, newline);
  std::string_view location = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);

  Url base;
  base.host = "base.example";
  base.port = 8080;
  base.target = "/a/b/c?q=1";
  auto parsed = fluxcpp::http::ParseUrl(first);
  if (parsed.ok()) {
    if (!Clean(first)) std::abort();
    CheckUrl(*parsed);
    base = *parsed;
  }
  auto resolved = fluxcpp::http::ResolveReference(base, location);
  if (resolved.ok()) CheckUrl(*resolved);
  return 0;
}
