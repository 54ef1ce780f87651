#include "libs/artifact/ignore_pattern.h"

#include <catch2/catch.hpp>

namespace fluxcpp::artifact {
namespace {

bool M(std::string_view rule, std::string_view path, bool is_dir = false,
       std::string_view base = "") {
  auto p = IgnorePattern::Parse(rule);
  REQUIRE(p.has_value());
  return p->Matches(path, is_dir, base);
}

TEST_CASE("IgnorePattern parsing drops comments and blanks", "[ignore]") {
  CHECK_FALSE(IgnorePattern::Parse("").has_value());
  CHECK_FALSE(IgnorePattern::Parse("# comment").has_value());
  CHECK_FALSE(IgnorePattern::Parse("\r").has_value());
  CHECK_FALSE(IgnorePattern::Parse("   ").has_value());
  CHECK_FALSE(IgnorePattern::Parse("/").has_value());
  CHECK_FALSE(IgnorePattern::Parse("!").has_value());
  auto escaped = IgnorePattern::Parse("\\#notacomment");
  REQUIRE(escaped.has_value());
  CHECK(escaped->Matches("#notacomment", false, ""));
  auto neg = IgnorePattern::Parse("!keep.txt");
  REQUIRE(neg.has_value());
  CHECK(neg->negated());
  CHECK(neg->Matches("keep.txt", false, ""));
  auto literal_bang = IgnorePattern::Parse("\\!important");
  REQUIRE(literal_bang.has_value());
  CHECK_FALSE(literal_bang->negated());
  CHECK(literal_bang->Matches("!important", false, ""));
  CHECK(ParseIgnorePatterns("a\n# b\n\nc\r\n!d\n").size() == 3);
}

TEST_CASE("IgnorePattern trailing spaces", "[ignore]") {
  CHECK(M("foo   ", "foo"));
  CHECK_FALSE(M("foo   ", "foo "));
  CHECK(M("foo\\ ", "foo "));
  CHECK_FALSE(M("foo\\ ", "foo"));
}

TEST_CASE("IgnorePattern basename and anchored matching", "[ignore]") {
  CHECK(M("*.png", "a.png"));
  CHECK(M("*.png", "dir/sub/a.png"));
  CHECK_FALSE(M("*.png", "a.png.txt"));
  CHECK(M("/root.txt", "root.txt"));
  CHECK_FALSE(M("/root.txt", "dir/root.txt"));
  CHECK(M("dir/file", "dir/file"));
  CHECK_FALSE(M("dir/file", "x/dir/file"));  // a slash anchors the rule
  CHECK(M("**/file", "x/y/file"));
  CHECK(M("**/file", "file"));
  CHECK(M("a/**", "a/b/c"));
  CHECK_FALSE(M("a/**", "a"));
  CHECK(M("a/**/z", "a/z"));
  CHECK(M("a/*/z", "a/b/z"));
  CHECK_FALSE(M("a/*/z", "a/b/c/z"));
}

TEST_CASE("IgnorePattern directory-only rules", "[ignore]") {
  CHECK(M("build/", "build", true));
  CHECK_FALSE(M("build/", "build", false));
  CHECK(M("build/", "x/build", true));
  CHECK(M("/build/", "build", true));
  CHECK_FALSE(M("/build/", "x/build", true));
}

TEST_CASE("IgnorePattern rules from a nested file are relative to it", "[ignore]") {
  CHECK(M("/x", "sub/x", false, "sub"));
  CHECK_FALSE(M("/x", "x", false, "sub"));
  CHECK(M("y/x", "sub/y/x", false, "sub"));
  CHECK_FALSE(M("y/x", "sub/z/y/x", false, "sub"));
  CHECK(M("x", "sub/deep/x", false, "sub"));
}

TEST_CASE("IgnorePattern literal prefix quirk: '**' right after the prefix is leading",
          "[ignore]") {
  // git matches the literal prefix "a/b" and then wildmatches "**/c" alone.
  CHECK(M("a/b**/c", "a/b/x/c"));
}

}  // namespace
}  // namespace fluxcpp::artifact
