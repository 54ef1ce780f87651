#pragma once
// UTF-8 with Go's semantics (unicode/utf8), shared by the engines that must
// match Go byte for byte (envsubst, CEL): an invalid byte decodes to U+FFFD
// with width 1; surrogates and values above U+10FFFF encode as U+FFFD.

#include <cstddef>
#include <string>
#include <string_view>

namespace fluxcpp::utf8 {

inline constexpr char32_t kRuneError = 0xFFFD;

struct DecodedRune {
  char32_t rune;
  size_t width;  // 0 only for empty input
};

// utf8.DecodeRuneInString.
DecodedRune DecodeRune(std::string_view s);

// string(rune): appends the UTF-8 of r, or of U+FFFD when r is not a valid scalar value.
void AppendRune(std::string& out, char32_t r);

// utf8.ValidString: no invalid byte, overlong form or surrogate.
bool IsValid(std::string_view s);

}  // namespace fluxcpp::utf8
