#include "libs/http/request_parser.h"

#include <catch2/catch.hpp>
#include <string>

namespace fluxcpp::http {
namespace {

RequestParseResult Parse(const std::string& s, RequestParseLimits limits = {}) {
  return ParseRequestHead(s, limits);
}

TEST_CASE("ParseRequestHead parses a GET with a query", "[http][unit]") {
  const std::string raw =
      "GET /metrics?name[]=a&x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Prometheus/2.0\r\n"
      "Accept:  text/plain \t\r\n\r\nGET /next";
  RequestParseResult r = Parse(raw);
  REQUIRE(r.state == RequestParseResult::kComplete);
  CHECK(r.consumed == raw.find("GET /next"));
  CHECK(r.head.method == "GET");
  CHECK(r.head.target == "/metrics?name[]=a&x=1");
  CHECK(r.head.path == "/metrics");
  CHECK(r.head.query == "name[]=a&x=1");
  CHECK(r.head.version_minor == 1);
  CHECK(r.head.host == "127.0.0.1:8080");
  CHECK(r.head.keep_alive);
  CHECK_FALSE(r.head.content_length.has_value());
  CHECK_FALSE(r.head.chunked);
  REQUIRE(r.head.headers.size() == 3);
  REQUIRE(r.head.Header("accept") != nullptr);
  CHECK(*r.head.Header("ACCEPT") == "text/plain");
  CHECK(r.head.Header("cookie") == nullptr);
}

TEST_CASE("ParseRequestHead waits for the blank line", "[http][unit]") {
  const std::string raw = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  for (size_t n = 0; n < raw.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    CHECK(Parse(raw.substr(0, n)).state == RequestParseResult::kIncomplete);
  }
  CHECK(Parse(raw).state == RequestParseResult::kComplete);
}

TEST_CASE("ParseRequestHead accepts bare LF and skips leading empty lines", "[http][unit]") {
  RequestParseResult r = Parse("\r\n\nHEAD /healthz HTTP/1.1\nHost: x\n\n");
  REQUIRE(r.state == RequestParseResult::kComplete);
  CHECK(r.head.method == "HEAD");
  CHECK(r.head.path == "/healthz");
  CHECK(r.head.query.empty());
}

TEST_CASE("ParseRequestHead applies Connection semantics per version", "[http][unit]") {
  CHECK_FALSE(Parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").head.keep_alive);
  CHECK_FALSE(
      Parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n").head.keep_alive);
  CHECK(Parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n").head.keep_alive);
  RequestParseResult r10 = Parse("GET / HTTP/1.0\r\n\r\n");
  REQUIRE(r10.state == RequestParseResult::kComplete);
  CHECK(r10.head.version_minor == 0);
  CHECK_FALSE(r10.head.keep_alive);
  CHECK(r10.head.host.empty());
  CHECK(Parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").head.keep_alive);
  // A later 1.x minor version is served as 1.1.
  RequestParseResult r19 = Parse("GET / HTTP/1.9\r\nHost: a\r\n\r\n");
  REQUIRE(r19.state == RequestParseResult::kComplete);
  CHECK(r19.head.version_minor == 1);
}

TEST_CASE("ParseRequestHead reads message framing", "[http][unit]") {
  RequestParseResult r =
      Parse("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\ncontent-length: 12\r\n\r\n");
  REQUIRE(r.state == RequestParseResult::kComplete);
  CHECK(r.head.content_length == 12u);
  r = Parse("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
  REQUIRE(r.state == RequestParseResult::kComplete);
  CHECK(r.head.chunked);
}

struct BadCase {
  const char* name;
  std::string raw;
  int status;
};

TEST_CASE("ParseRequestHead refuses malformed heads with the right status", "[http][unit]") {
  const BadCase cases[] = {
      {"TLS handshake bytes", "\x16\x03\x01\x02\x05\x01\r\n\r\n", 400},
      {"missing version", "GET /\r\n\r\n", 400},
      {"double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400},
      {"method not a token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"absolute-form", "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"control char in target", "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"non-ASCII target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400},
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505},
      {"no Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"two Hosts in 1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
      {"no colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n", 400},
      {"empty name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400},
      {"bare CR", "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", 400},
      {"NUL in value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX: a") + '\0' + "b\r\n\r\n", 400},
      {"DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", 400},
      {"negative length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
      {"length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n", 400},
      {"huge length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
       400},
      {"conflicting lengths",
       "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"length and chunked",
       "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
       400},
      {"chunked in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
  };
  for (const BadCase& c : cases) {
    INFO(c.name);
    RequestParseResult r = Parse(c.raw);
    REQUIRE(r.state == RequestParseResult::kError);
    CHECK(r.error_status == c.status);
    CHECK_FALSE(r.error.empty());
  }
}

TEST_CASE("ParseRequestHead reports an invalid line before the head is complete", "[http][unit]") {
  RequestParseResult r = Parse("GET / HTTP/1.1\r\nHost: a\r\nbad header\r\n");
  REQUIRE(r.state == RequestParseResult::kError);
  CHECK(r.error_status == 400);
}

TEST_CASE("ParseRequestHead bounds the head", "[http][unit]") {
  RequestParseLimits limits;
  limits.max_head_bytes = 64;
  limits.max_headers = 3;
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\nX-Fill: " + std::string(40, 'y') + "\r\n\r\n";
  REQUIRE(head.size() > 64);
  RequestParseResult r = Parse(head, limits);
  REQUIRE(r.state == RequestParseResult::kError);
  CHECK(r.error_status == 431);
  // Without a line end the limit still applies.
  r = Parse("GET /" + std::string(100, 'a'), limits);
  REQUIRE(r.state == RequestParseResult::kError);
  CHECK(r.error_status == 431);
  CHECK(Parse("GET /" + std::string(50, 'a'), limits).state == RequestParseResult::kIncomplete);
  // Exactly at the limit is fine.
  std::string exact = "GET / HTTP/1.1\r\nHost: a\r\n";
  exact += "X: " + std::string(64 - exact.size() - 7, 'z') + "\r\n\r\n";
  REQUIRE(exact.size() == 64);
  CHECK(Parse(exact, limits).state == RequestParseResult::kComplete);
  r = Parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits);
  REQUIRE(r.state == RequestParseResult::kError);
  CHECK(r.error_status == 431);
  // Leading empty lines count towards the limit.
  r = Parse(std::string(70, '\n'), limits);
  REQUIRE(r.state == RequestParseResult::kError);
  CHECK(r.error_status == 431);
}

}  // namespace
}  // namespace fluxcpp::http
