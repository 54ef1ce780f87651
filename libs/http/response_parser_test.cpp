#include "libs/http/response_parser.h"

#include <catch2/catch.hpp>

#include <string>

#include "libs/http/failure.h"

namespace fluxcpp::http {
namespace {

struct Parsed {
  absl::Status status;
  bool complete = false;
  std::string body;
};

// Feeds `wire` in pieces of `piece` bytes (0 = whole), then EOF if `eof`.
Parsed Parse(ResponseParser& p, const std::string& wire, size_t piece = 0, bool eof = false) {
  Parsed out;
  auto on_body = [&](std::string_view b) {
    out.body.append(b.data(), b.size());
    return true;
  };
  size_t step = piece == 0 ? wire.size() : piece;
  for (size_t i = 0; i < wire.size() && out.status.ok(); i += step) {
    out.status = p.Feed(std::string_view(wire).substr(i, step), on_body);
  }
  if (eof && out.status.ok()) out.status = p.FeedEof();
  out.complete = p.complete();
  return out;
}

Parsed Parse(const std::string& wire, size_t piece = 0, bool eof = false) {
  ResponseParser p;
  return Parse(p, wire, piece, eof);
}

bool IsProtocolError(const Parsed& p) { return FailureOf(p.status) == Failure::kProtocol; }

TEST_CASE("response parser: Content-Length body in any split", "[http]") {
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 11\r\n\r\nhello world";
  for (size_t piece : {0, 1, 2, 3, 7, 64}) {
    ResponseParser p;
    Parsed r = Parse(p, wire, piece);
    INFO("piece " << piece);
    REQUIRE(r.status.ok());
    CHECK(r.complete);
    CHECK(r.body == "hello world");
    CHECK(p.head().status == 200);
    CHECK(p.head().reason == "OK");
    REQUIRE(p.head().Find("CONTENT-TYPE") != nullptr);
    CHECK(*p.head().Find("content-type") == "text/plain");
    CHECK(p.head().Find("X-Missing") == nullptr);
    CHECK(p.keep_alive());
  }
}

TEST_CASE("response parser: chunked with extensions and trailers", "[http]") {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "1\r\n \r\n"
      "A\r\n0123456789\r\n"
      "0\r\nX-Trailer: yes\r\n\r\n";
  for (size_t piece : {0, 1, 3, 5}) {
    ResponseParser p;
    Parsed r = Parse(p, wire, piece);
    INFO("piece " << piece);
    REQUIRE(r.status.ok());
    CHECK(r.complete);
    CHECK(r.body == "hello 0123456789");
    CHECK(p.keep_alive());
    CHECK(p.excess_bytes() == 0);
  }
}

TEST_CASE("response parser: read until close", "[http]") {
  ResponseParser p;
  Parsed r = Parse(p, "HTTP/1.1 200 OK\r\n\r\nstreamed until the end", 4);
  REQUIRE(r.status.ok());
  CHECK_FALSE(r.complete);
  CHECK(p.FeedEof().ok());
  CHECK(p.complete());
  CHECK(r.body == "streamed until the end");
  CHECK_FALSE(p.keep_alive());
}

TEST_CASE("response parser: responses without a body", "[http]") {
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    ResponseParser p;
    Parsed r = Parse(p, std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 10\r\n\r\n");
    REQUIRE(r.status.ok());
    CHECK(r.complete);
    CHECK(p.keep_alive());
  }
  ResponseParser head(/*head_request=*/true);
  Parsed r = Parse(head, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  REQUIRE(r.status.ok());
  CHECK(r.complete);
  CHECK(r.body.empty());
  CHECK(head.keep_alive());
}

TEST_CASE("response parser: interim 1xx responses are skipped", "[http]") {
  ResponseParser p;
  Parsed r = Parse(p, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", 5);
  REQUIRE(r.status.ok());
  CHECK(p.head().status == 201);
  CHECK(p.head().Find("Link") == nullptr);
  CHECK(r.body == "ok");
  std::string endless;
  for (int i = 0; i < 20; ++i) endless += "HTTP/1.1 102 Processing\r\n\r\n";
  CHECK(IsProtocolError(Parse(endless)));
}

TEST_CASE("response parser: connection persistence", "[http]") {
  ResponseParser close;
  REQUIRE(Parse(close, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").status.ok());
  CHECK_FALSE(close.keep_alive());
  ResponseParser http10;
  REQUIRE(Parse(http10, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").status.ok());
  CHECK_FALSE(http10.keep_alive());
  ResponseParser http10_keep;
  REQUIRE(Parse(http10_keep, "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").status.ok());
  CHECK(http10_keep.keep_alive());
  ResponseParser extra;
  REQUIRE(Parse(extra, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy").status.ok());
  CHECK(extra.excess_bytes() == 1);
  CHECK_FALSE(extra.keep_alive());
  ResponseParser both;
  REQUIRE(Parse(both, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n")
              .status.ok());
  CHECK(both.complete());
  CHECK_FALSE(both.keep_alive());
}

TEST_CASE("response parser: LF-only line endings are accepted", "[http]") {
  Parsed r = Parse("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi");
  REQUIRE(r.status.ok());
  CHECK(r.body == "hi");
}

TEST_CASE("response parser: malformed status lines and fields", "[http]") {
  for (const char* wire : {
           "HTTP/2.0 200 OK\r\n\r\n",
           "HTTP/1.1 20 OK\r\n\r\n",
           "HTTP/1.1 2000 OK\r\n\r\n",
           "HTTP/1.1 099 Low\r\n\r\n",
           "http/1.1 200 OK\r\n\r\n",
           "HTTP/1.1  200 OK\r\n\r\n",
           "HTTP/1.1 200 O\x01K\r\n\r\n",
           "ICY 200 OK\r\n\r\n",
           "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
           "HTTP/1.1 200 OK\r\nName : x\r\n\r\n",
           "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
           "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       }) {
    INFO(wire);
    Parsed r = Parse(wire);
    CHECK(IsProtocolError(r));
  }
  // An embedded NUL in a field value.
  std::string nul = "HTTP/1.1 200 OK\r\nA: b";
  nul.push_back('\0');
  nul += "c\r\n\r\n";
  CHECK(IsProtocolError(Parse(nul)));
  // Repeated equal lengths are one length.
  Parsed same = Parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok");
  REQUIRE(same.status.ok());
  CHECK(same.body == "ok");
}

TEST_CASE("response parser: malformed chunks", "[http]") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  CHECK(IsProtocolError(Parse(head + "zz\r\n")));
  CHECK(IsProtocolError(Parse(head + "\r\n")));
  CHECK(IsProtocolError(Parse(head + "1 x\r\n")));
  CHECK(IsProtocolError(Parse(head + "10000000000000000\r\n")));  // 2^64: overflows
  CHECK(IsProtocolError(Parse(head + "2\r\nabc\r\n")));           // longer than its size
  CHECK(IsProtocolError(Parse(head + std::string(2000, '1'))));   // endless size line
  CHECK(IsProtocolError(Parse(head + "0\r\nBad Trailer\r\n\r\n")));
  CHECK(IsProtocolError(Parse(head + "0\r\n" + std::string(70 * 1024, 'a'))));
  // The largest size that fits is accepted (and then the body is short).
  Parsed big = Parse(head + "ffffffffffffffff\r\nabc", 0, /*eof=*/true);
  CHECK(FailureOf(big.status) == Failure::kReadFailed);
  CHECK(big.body == "abc");
}

TEST_CASE("response parser: limits", "[http]") {
  std::string huge = "HTTP/1.1 200 OK\r\nX: " + std::string(70 * 1024, 'a') + "\r\n\r\n";
  CHECK(IsProtocolError(Parse(huge)));
  CHECK(IsProtocolError(Parse(huge, 1000)));
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 200; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  CHECK(IsProtocolError(Parse(many + "\r\n")));
  // A failed parser stays failed.
  ResponseParser p;
  REQUIRE(IsProtocolError(Parse(p, "nonsense\r\n\r\n")));
  CHECK(FailureOf(p.Feed("HTTP/1.1 200 OK\r\n\r\n", nullptr)) == Failure::kProtocol);
}

TEST_CASE("response parser: truncation is reported at EOF", "[http]") {
  ResponseParser nothing;
  CHECK(FailureOf(nothing.FeedEof()) == Failure::kClosedBeforeHead);
  ResponseParser partial_head;
  Parse(partial_head, "HTTP/1.1 200 OK\r\nContent-");
  CHECK(FailureOf(partial_head.FeedEof()) == Failure::kReadFailed);
  CHECK(FailureOf(Parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", 0, true).status) == Failure::kReadFailed);
  CHECK(FailureOf(Parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 0, true).status) ==
        Failure::kReadFailed);
}

TEST_CASE("response parser: the body callback can stop parsing", "[http]") {
  ResponseParser p;
  std::string seen;
  absl::Status s = p.Feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcdef", [&](std::string_view b) {
    seen.append(b.data(), b.size());
    return false;
  });
  CHECK(s.ok());
  CHECK(p.aborted());
  CHECK_FALSE(p.complete());
  CHECK(seen == "abcdef");
}

}  // namespace
}  // namespace fluxcpp::http
