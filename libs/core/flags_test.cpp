#include "libs/core/flags.h"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

TEST_CASE("FlagSet parses pflag forms") {
  fluxcpp::FlagSet flags("test");
  std::string addr = ":8080";
  bool leader = false;
  int concurrent = 4;
  fluxcpp::Duration retry = 750ms;
  std::vector<std::string> managers;
  flags.String("metrics-addr", &addr, "metrics");
  flags.Bool("enable-leader-election", &leader, "leader");
  flags.Int("concurrent", &concurrent, "workers");
  flags.DurationFlag("min-retry-delay", &retry, "retry");
  flags.StringList("override-manager", &managers, "managers");
  REQUIRE(flags
              .Parse({"--metrics-addr=:9000", "--enable-leader-election", "--concurrent", "10", "-min-retry-delay=2s",
                      "--override-manager=a,b", "--override-manager", "c", "pos"})
              .ok());
  CHECK(addr == ":9000");
  CHECK(leader);
  CHECK(concurrent == 10);
  CHECK(retry == 2s);
  CHECK(managers == std::vector<std::string>{"a", "b", "c"});
  CHECK(flags.positional() == std::vector<std::string>{"pos"});
  CHECK(flags.WasSet("concurrent"));
}

TEST_CASE("FlagSet rejects unknown flags and bad values") {
  fluxcpp::FlagSet flags("test");
  int n = 0;
  bool b = false;
  flags.Int("n", &n, "");
  flags.Bool("b", &b, "");
  CHECK(flags.Parse({"--nope"}).code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(flags.Parse({"--n=x"}).ok());
  CHECK_FALSE(flags.Parse({"--b=maybe"}).ok());
  CHECK_FALSE(flags.Parse({"--n"}).ok());
  REQUIRE(flags.Parse({"--b=false"}).ok());
  CHECK_FALSE(b);
}
