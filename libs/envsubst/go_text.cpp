#include "libs/envsubst/go_text.h"

#include <limits>

#ifndef FLUXCPP_ENVSUBST_NO_ICU
#include <unicode/uchar.h>
#endif

namespace fluxcpp::envsubst::gotext {

std::vector<char32_t> ToRunes(std::string_view s) {
  std::vector<char32_t> out;
  while (!s.empty()) {
    DecodedRune d = DecodeRune(s);
    out.push_back(d.rune);
    s.remove_prefix(d.width);
  }
  return out;
}

std::string FromRunes(const std::vector<char32_t>& runes) {
  std::string out;
  for (char32_t r : runes) AppendRune(out, r);
  return out;
}

#ifndef FLUXCPP_ENVSUBST_NO_ICU

bool IsLetter(char32_t r) {
  if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  return u_isalpha(static_cast<UChar32>(r)) != 0;  // general category L, as Go
}

bool IsDigit(char32_t r) {
  if (r < 0x80) return r >= '0' && r <= '9';
  return u_isdigit(static_cast<UChar32>(r)) != 0;  // general category Nd, as Go
}

char32_t ToUpper(char32_t r) {
  if (r > 0x10FFFF) return r;
  return static_cast<char32_t>(u_toupper(static_cast<UChar32>(r)));  // simple mapping, as Go
}

char32_t ToLower(char32_t r) {
  if (r > 0x10FFFF) return r;
  return static_cast<char32_t>(u_tolower(static_cast<UChar32>(r)));
}

#else  // ASCII-only fallback, see CMakeLists.txt.

bool IsLetter(char32_t r) { return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsDigit(char32_t r) { return r >= '0' && r <= '9'; }
char32_t ToUpper(char32_t r) { return (r >= 'a' && r <= 'z') ? r - 'a' + 'A' : r; }
char32_t ToLower(char32_t r) { return (r >= 'A' && r <= 'Z') ? r - 'A' + 'a' : r; }

#endif

namespace {

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

template <typename F>
std::string MapRunes(std::string_view s, F map) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    DecodedRune d = DecodeRune(s);
    AppendRune(out, map(d.rune));
    s.remove_prefix(d.width);
  }
  return out;
}

}  // namespace

std::string StringToUpper(std::string_view s) {
  if (IsAscii(s)) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
  }
  return MapRunes(s, ToUpper);
}

std::string StringToLower(std::string_view s) {
  if (IsAscii(s)) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  return MapRunes(s, ToLower);
}

std::string Replace(std::string_view s, std::string_view old_str, std::string_view new_str,
                    long n) {
  if (old_str == new_str || n == 0) return std::string(s);
  std::string out;
  if (old_str.empty()) {
    // Matches at the start and after each UTF-8 sequence.
    long done = 0;
    size_t i = 0;
    while (n < 0 || done < n) {
      out.append(new_str);
      ++done;
      if (i >= s.size()) break;
      size_t w = DecodeRune(s.substr(i)).width;
      out.append(s.substr(i, w));
      i += w;
    }
    if (i < s.size()) out.append(s.substr(i));
    return out;
  }
  size_t start = 0;
  long done = 0;
  while (n < 0 || done < n) {
    size_t at = s.find(old_str, start);
    if (at == std::string_view::npos) break;
    out.append(s.substr(start, at - start));
    out.append(new_str);
    start = at + old_str.size();
    ++done;
  }
  out.append(s.substr(start));
  return out;
}

bool Atoi(std::string_view s, long long* out) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty()) return false;
  }
  unsigned long long v = 0;
  const unsigned long long limit =
      neg ? static_cast<unsigned long long>(std::numeric_limits<long long>::max()) + 1ULL
          : static_cast<unsigned long long>(std::numeric_limits<long long>::max());
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    unsigned d = static_cast<unsigned>(c - '0');
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = neg ? static_cast<long long>(0ULL - v) : static_cast<long long>(v);
  return true;
}

}  // namespace fluxcpp::envsubst::gotext
