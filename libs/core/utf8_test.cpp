#include "libs/core/utf8.h"

#include <catch2/catch.hpp>

namespace u = fluxcpp::utf8;

TEST_CASE("utf8: decode with Go's rules") {
  CHECK(u::DecodeRune("").width == 0);
  CHECK(u::DecodeRune("a").rune == U'a');
  auto euro = u::DecodeRune("\xE2\x82\xAC!");
  CHECK(euro.rune == U'\u20AC');
  CHECK(euro.width == 3);
  auto overlong = u::DecodeRune("\xC0\xAF");
  CHECK(overlong.rune == u::kRuneError);
  CHECK(overlong.width == 1);
  CHECK(u::DecodeRune("\xED\xA0\x80").width == 1);  // surrogate
  CHECK(u::DecodeRune("\xF0\x9F\x98").width == 1);  // truncated
}

TEST_CASE("utf8: encode, invalid scalars become U+FFFD") {
  std::string out;
  u::AppendRune(out, U'\U0001F600');
  CHECK(out == "\xF0\x9F\x98\x80");
  out.clear();
  u::AppendRune(out, 0xD800);
  CHECK(out == "\xEF\xBF\xBD");
}

TEST_CASE("utf8: validity") {
  CHECK(u::IsValid("plain \xE2\x82\xAC"));
  CHECK(u::IsValid(""));
  CHECK_FALSE(u::IsValid("\xFF"));
  CHECK_FALSE(u::IsValid("\xC0\xAF"));
  CHECK_FALSE(u::IsValid("\xED\xA0\x80"));
  CHECK_FALSE(u::IsValid("ab\xE2\x82"));
}
