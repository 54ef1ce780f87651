#pragma once
// Go string semantics the envsubst engine depends on, reproduced exactly:
// UTF-8 decoding as unicode/utf8 does it (an invalid byte decodes to U+FFFD
// with width 1), rune encoding, and the unicode package's letter/digit tests and
// simple case mappings (backed by ICU).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "libs/core/utf8.h"

namespace fluxcpp::envsubst::gotext {

// UTF-8 decoding and encoding (libs/core/utf8.h).
using utf8::AppendRune;
using utf8::DecodedRune;
using utf8::DecodeRune;
using utf8::kRuneError;

// []rune(s) and string([]rune).
std::vector<char32_t> ToRunes(std::string_view s);
std::string FromRunes(const std::vector<char32_t>& runes);

// unicode.IsLetter, unicode.IsDigit.
bool IsLetter(char32_t r);
bool IsDigit(char32_t r);

// unicode.ToUpper / unicode.ToLower (simple case mapping).
char32_t ToUpper(char32_t r);
char32_t ToLower(char32_t r);

// strings.ToUpper / strings.ToLower.
std::string StringToUpper(std::string_view s);
std::string StringToLower(std::string_view s);

// strings.Replace(s, old_str, new_str, n); n < 0 means all.
std::string Replace(std::string_view s, std::string_view old_str, std::string_view new_str, long n);

// strconv.Atoi on a 64-bit platform: optional sign, decimal digits, int64 range.
bool Atoi(std::string_view s, long long* out);

}  // namespace fluxcpp::envsubst::gotext
