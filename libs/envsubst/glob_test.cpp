#include "libs/envsubst/glob.h"

#include <catch2/catch.hpp>

namespace es = fluxcpp::envsubst;

namespace {

bool M(std::string_view pattern, std::string_view name) {
  auto m = es::GlobMatch(pattern, name);
  INFO(pattern << " vs " << name << ": " << m.status().ToString());
  REQUIRE(m.ok());
  return *m;
}

}  // namespace

TEST_CASE("glob basics") {
  CHECK(M("abc", "abc"));
  CHECK_FALSE(M("abc", "abcd"));
  CHECK(M("*", "anything/with/slashes"));
  CHECK(M("a*", "a/b/c"));
  CHECK(M("*c", "abc"));
  CHECK(M("a*c", "abxyzc"));
  CHECK_FALSE(M("a*c", "abxyzcd"));
  CHECK(M("a*b*c", "a-b-c"));
  CHECK(M("?", "/"));
  CHECK(M("?", "\xC3\xA9"));
  CHECK_FALSE(M("??", "\xC3\xA9"));
  CHECK(M("[a-c]x", "bx"));
  CHECK_FALSE(M("[^a-c]x", "bx"));
  CHECK(M("[\\]]", "]"));
  CHECK(M("\\*", "*"));
  CHECK_FALSE(M("\\*", "a"));
  CHECK(M("", ""));
  CHECK_FALSE(M("", "a"));
  CHECK(M("*.*", "a.b.c"));
}

TEST_CASE("bad patterns") {
  CHECK_FALSE(es::GlobMatch("[", "a").ok());
  CHECK_FALSE(es::GlobMatch("[]", "a").ok());
  CHECK_FALSE(es::GlobMatch("[a-", "a").ok());
  CHECK_FALSE(es::GlobMatch("a\\", "ab").ok());
  CHECK(es::GlobMatch("a\\", "a").ok());  // name exhausted before the bad escape
  CHECK(es::GlobMatch("[", "a").status().message() == "syntax error in pattern");
  // Errors surface only when the matcher reaches them, as in Go.
  auto m = es::GlobMatch("x[", "a");
  REQUIRE(m.ok());
  CHECK_FALSE(*m);
}
