#include "libs/artifact/wildmatch.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

namespace fluxcpp::artifact {
namespace {

struct Case {
  const char* pattern;
  const char* text;
  bool plain;     // without kWildmatchPathname
  bool pathname;  // with kWildmatchPathname
};

// A selection of git's t3070-wildmatch table (plain = "pathmatch" column).
constexpr Case kCases[] = {
    {"foo", "foo", true, true},
    {"bar", "foo", false, false},
    {"", "", true, true},
    {"???", "foo", true, true},
    {"??", "foo", false, false},
    {"*", "foo", true, true},
    {"f*", "foo", true, true},
    {"*f", "foo", false, false},
    {"*foo*", "foo", true, true},
    {"*ob*a*r*", "foobar", true, true},
    {"*ab", "aaaaaaabababab", true, true},
    {"foo\\*", "foo*", true, true},
    {"foo\\*bar", "foobar", false, false},
    {"f\\\\oo", "f\\oo", true, true},
    {"*[al]?", "ball", true, true},
    {"[ten]", "ten", false, false},
    {"**[!te]", "ten", true, true},
    {"**[!ten]", "ten", false, false},
    {"t[a-g]n", "ten", true, true},
    {"t[!a-g]n", "ten", false, false},
    {"t[!a-g]n", "ton", true, true},
    {"t[^a-g]n", "ton", true, true},
    {"a[]]b", "a]b", true, true},
    {"a[]-]b", "a-b", true, true},
    {"a[]-]b", "a]b", true, true},
    {"a[]-]b", "aab", false, false},
    {"a[]a-]b", "aab", true, true},
    {"]", "]", true, true},
    {"foo*bar", "foo/baz/bar", true, false},
    {"foo**bar", "foo/baz/bar", true, false},
    {"foo/**/bar", "foo/baz/bar", true, true},
    {"foo/**/bar", "foo/b/a/z/bar", true, true},
    {"foo/**/**/bar", "foo/b/a/z/bar", true, true},
    {"foo/**/bar", "foo/bar", true, true},
    {"foo/**/**/bar", "foo/bar", true, true},
    {"foo?bar", "foo/bar", true, false},
    {"foo[/]bar", "foo/bar", true, false},
    {"foo[^a-z]bar", "foo/bar", true, false},
    {"**/foo", "XXX/foo", true, true},
    {"**/foo", "bar/baz/foo", true, true},
    {"*/foo", "bar/baz/foo", true, false},
    {"**/bar*", "deep/foo/bar/baz", true, false},
    {"**/bar/*", "deep/foo/bar/baz", true, true},
    {"**/bar/**", "deep/foo/bar/baz/", true, true},
    {"**/bar/*", "deep/foo/bar", false, false},
    {"**/bar/**", "deep/foo/bar/", true, true},
    {"*/bar/**", "foo/bar/baz/x", true, true},
    {"*/bar/**", "deep/foo/bar/baz/x", true, false},
    {"**/bar/*/*", "deep/foo/bar/baz/x", true, true},
    {"[[:alpha:]][[:digit:]][[:upper:]]", "a1B", true, true},
    {"[[:digit:][:upper:][:space:]]", "a", false, false},
    {"[[:digit:][:upper:][:space:]]", "A", true, true},
    {"[[:xdigit:]]", "5", true, true},
    {"[a-c[:digit:]x-z]", "5", true, true},
    {"[a-c[:digit:]x-z]", "q", false, false},
    {"[[:nope:]]", "n", false, false},
    {"[\\-^]", "^", true, true},
    {"[\\]]", "]", true, true},
    {"[\\]]", "\\", false, false},
    {"a[b", "a[b", false, false},
    {"-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1",
     true, true},
    {"XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*",
     "XXX/adobe/courier/bold/o/normal//12/120/75/75/m/70/iso8859/1", true, true},
    {"XXX/*/*/*/*/*/*/12/*/*/*/m/*/*/*",
     "XXX/adobe/courier/bold/o/normal//12/120/75/75/X/70/iso8859/1", false, false},
    {"**/*a*b*g*n*t", "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txt", true, true},
    {"**/*a*b*g*n*t", "abcd/abcdefg/abcdefghijk/abcdefghijklmnop.txtz", false, false},
    {"*/*/*", "foo/bba/arr", true, true},
    {"*/*/*", "foo/bb/aa/rr", true, false},
    {"**/**/**", "foo/bb/aa/rr", true, true},
};

TEST_CASE("Wildmatch agrees with git's table", "[wildmatch]") {
  for (const Case& c : kCases) {
    INFO("pattern '" << c.pattern << "' text '" << c.text << "'");
    CHECK(Wildmatch(c.pattern, c.text, kWildmatchNone) == c.plain);
    CHECK(Wildmatch(c.pattern, c.text, kWildmatchPathname) == c.pathname);
  }
}

}  // namespace
}  // namespace fluxcpp::artifact

namespace fluxcpp::artifact {
namespace {

TEST_CASE("Wildmatch stays polynomial on pathological rules", "[wildmatch]") {
  std::string pattern, text;
  for (int i = 0; i < 40; ++i) pattern += "**/*a*/";
  pattern += "x";
  for (int i = 0; i < 60; ++i) text += "ab/";
  text += "y";
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(Wildmatch(pattern, text, kWildmatchPathname));
  CHECK_FALSE(Wildmatch(pattern, text, kWildmatchNone));
  CHECK(Wildmatch(pattern.substr(0, pattern.size() - 1) + "y", text, kWildmatchPathname));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

}  // namespace
}  // namespace fluxcpp::artifact
