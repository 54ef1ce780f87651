#include "libs/artifact/host_port.h"

#include <catch2/catch.hpp>

namespace fluxcpp::artifact {
namespace {

TEST_CASE("SplitHostPort follows Go's net.SplitHostPort", "[hostport]") {
  auto a = SplitHostPort(":9090");
  REQUIRE(a.ok());
  CHECK(a->host.empty());
  CHECK(a->port == "9090");
  auto b = SplitHostPort("127.0.0.1:0");
  REQUIRE(b.ok());
  CHECK(b->host == "127.0.0.1");
  auto c = SplitHostPort("[::1]:80");
  REQUIRE(c.ok());
  CHECK(c->host == "::1");
  CHECK_FALSE(SplitHostPort("localhost").ok());
  CHECK_FALSE(SplitHostPort("::1:80").ok());
  CHECK_FALSE(SplitHostPort("[::1]").ok());
  CHECK(JoinHostPort("::1", "80") == "[::1]:80");
  CHECK(JoinHostPort("host", "9090") == "host:9090");
}

}  // namespace
}  // namespace fluxcpp::artifact
