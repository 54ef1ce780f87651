// Fuzzes the ignore-rule parser, wildmatch and the matcher: the first line of
// the input is a path, the rest is an ignore file.

#include <cstdint>
#include <string>

#include "libs/artifact/ignore_matcher.h"
#include "libs/artifact/wildmatch.h"

using namespace fluxcpp::artifact;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string_view path = input.substr(0, nl);
  std::string_view rules = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  if (path.size() > 512) return 0;

  IgnoreMatcher matcher;
  matcher.AddDirectoryPatterns("", rules);
  matcher.AddDirectoryPatterns("sub", rules);
  (void)matcher.IsIgnored(path, false);
  (void)matcher.IsIgnored(path, true);
  (void)Wildmatch(rules.substr(0, 256), path, kWildmatchPathname);
  (void)Wildmatch(rules.substr(0, 256), path, kWildmatchNone);
  return 0;
}
