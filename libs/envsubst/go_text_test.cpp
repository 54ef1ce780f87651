#include "libs/envsubst/go_text.h"

#include <catch2/catch.hpp>

namespace gt = fluxcpp::envsubst::gotext;

TEST_CASE("DecodeRune follows unicode/utf8") {
  CHECK(gt::DecodeRune("a").rune == 'a');
  CHECK(gt::DecodeRune("\xC3\xA9").rune == 0xE9);
  CHECK(gt::DecodeRune("\xC3\xA9").width == 2);
  CHECK(gt::DecodeRune("\xF0\x9F\x98\x80").rune == 0x1F600);
  // Invalid: lone continuation, overlong, surrogate, truncated, > U+10FFFF.
  for (std::string_view bad :
       {"\x80", "\xC0\x80", "\xED\xA0\x80", "\xE2\x82", "\xF4\x90\x80\x80", "\xFF"}) {
    CHECK(gt::DecodeRune(bad).rune == gt::kRuneError);
    CHECK(gt::DecodeRune(bad).width == 1);
  }
  CHECK(gt::DecodeRune("").width == 0);
}

TEST_CASE("runes round trip") {
  std::string s = "a\xC3\xA9\xF0\x9F\x98\x80";
  CHECK(gt::FromRunes(gt::ToRunes(s)) == s);
  CHECK(gt::FromRunes(gt::ToRunes("a\xFF")) == "a\xEF\xBF\xBD");
}

TEST_CASE("unicode classes and case") {
  CHECK(gt::IsLetter(U'\u00E9'));
  CHECK(gt::IsLetter(U'\u4E2D'));
  CHECK_FALSE(gt::IsLetter(U'1'));
  CHECK_FALSE(gt::IsLetter(U'\u0301'));  // combining mark
  CHECK(gt::IsDigit(U'\u0663'));
  CHECK_FALSE(gt::IsDigit(U'\u00B2'));  // superscript two is No, not Nd
  CHECK(gt::ToUpper(U'\u00E9') == U'\u00C9');
  CHECK(gt::ToUpper(U'\u00DF') == U'\u00DF');
  CHECK(gt::ToLower(U'\u0130') == U'i');
  CHECK(gt::StringToUpper("abc") == "ABC");
  CHECK(gt::StringToLower("\xC3\x89T\xC3\x89") == "\xC3\xA9t\xC3\xA9");
}

TEST_CASE("Replace follows strings.Replace") {
  CHECK(gt::Replace("aaa", "a", "b", 1) == "baa");
  CHECK(gt::Replace("aaa", "a", "b", -1) == "bbb");
  CHECK(gt::Replace("abc", "", "-", -1) == "-a-b-c-");
  CHECK(gt::Replace("abc", "", "-", 2) == "-a-bc");
  CHECK(gt::Replace("\xC3\xA9", "", "-", -1) == "-\xC3\xA9-");
  CHECK(gt::Replace("abc", "x", "y", -1) == "abc");
}

TEST_CASE("Atoi follows strconv.Atoi") {
  long long v = 0;
  CHECK(gt::Atoi("42", &v));
  CHECK(v == 42);
  CHECK(gt::Atoi("-7", &v));
  CHECK(v == -7);
  CHECK(gt::Atoi("+7", &v));
  CHECK(v == 7);
  CHECK(gt::Atoi("-9223372036854775808", &v));
  CHECK_FALSE(gt::Atoi("9223372036854775808", &v));
  for (std::string_view bad : {"", "-", " 1", "1 ", "1_000", "0x10", "1.5"})
    CHECK_FALSE(gt::Atoi(bad, &v));
}
