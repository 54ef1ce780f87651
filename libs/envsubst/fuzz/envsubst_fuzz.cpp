// libFuzzer target: the envsubst parser and evaluator on arbitrary text.
// Build with -DFLUXCPP_FUZZ=ON (clang). Properties checked:
//   - no crash, no sanitizer report, on any input;
//   - a text without '$' renders to itself;
//   - strict and non-strict agree whenever strict succeeds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "libs/envsubst/envsubst.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::map<std::string, std::string> kVars = {
      {"a", "abc"}, {"b", ""}, {"n", "2"}, {"u", "ÄbÇ"}, {"path", "/a/b.c/d.e"}, {"neg", "-1"}};
  auto strict = fluxcpp::envsubst::Substitute(text, kVars, true);
  auto lax = fluxcpp::envsubst::Substitute(text, kVars, false);
  if (text.find('$') == std::string_view::npos && text.find('\0') == std::string_view::npos) {
    if (!lax.ok() || *lax != text) std::abort();
  }
  if (strict.ok() && (!lax.ok() || *lax != *strict)) std::abort();
  return 0;
}
