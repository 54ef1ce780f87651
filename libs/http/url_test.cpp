#include "libs/http/url.h"

#include <catch2/catch.hpp>

namespace fluxcpp::http {
namespace {

TEST_CASE("ParseUrl splits absolute http(s) URLs") {
  auto u = ParseUrl("HTTPS://Example.COM/a/b?x=1#frag");
  REQUIRE(u.ok());
  CHECK(u->https);
  CHECK(u->host == "example.com");
  CHECK(u->port == 443);
  CHECK(u->target == "/a/b?x=1");
  CHECK(u->String() == "https://example.com/a/b?x=1");

  u = ParseUrl("http://[::1]:8080");
  REQUIRE(u.ok());
  CHECK(u->host == "::1");
  CHECK(u->port == 8080);
  CHECK(u->target == "/");
  CHECK(u->Origin() == "http://[::1]:8080");

  u = ParseUrl("http://h?q");
  REQUIRE(u.ok());
  CHECK(u->target == "/?q");
}

TEST_CASE("ParseUrl refuses what a client must not send") {
  for (const char* bad : {"ftp://h/x", "h/x", "http:///x", "http://user:pw@h/x", "http://h:0/", "http://h:70000/",
                          "http://h:x/", "http://h/a b", "http://[::1/x", "http://h/\r\nX: y", "https://*::1]:8443/p",
                          "http://[h]/", "http://[]/", "http://a]b/", "http://h[:80/"}) {
    INFO(bad);
    auto u = ParseUrl(bad);
    REQUIRE_FALSE(u.ok());
    CHECK(u.status().code() == absl::StatusCode::kInvalidArgument);
  }
  // The message names the URL but never the password.
  auto u = ParseUrl("http://user:secret@h/x");
  CHECK(std::string(u.status().message()).find("user info") != std::string::npos);
}

TEST_CASE("ResolveReference follows RFC 3986 for Location headers") {
  auto base = ParseUrl("http://a.example:81/b/c/d?q");
  REQUIRE(base.ok());
  auto resolve = [&](const char* ref) {
    auto r = ResolveReference(*base, ref);
    REQUIRE(r.ok());
    return r->String();
  };
  CHECK(resolve("https://other/x") == "https://other/x");
  CHECK(resolve("//other:9/y") == "http://other:9/y");
  CHECK(resolve("/abs?z") == "http://a.example:81/abs?z");
  CHECK(resolve("g") == "http://a.example:81/b/c/g");
  CHECK(resolve("./g/") == "http://a.example:81/b/c/g/");
  CHECK(resolve("../g") == "http://a.example:81/b/g");
  CHECK(resolve("../../../../g") == "http://a.example:81/g");
  CHECK(resolve("?y") == "http://a.example:81/b/c/d?y");
  CHECK(resolve("g#f") == "http://a.example:81/b/c/g");
  CHECK(resolve("..") == "http://a.example:81/b/");
  CHECK_FALSE(ResolveReference(*base, "/a b").ok());
}

}  // namespace
}  // namespace fluxcpp::http
