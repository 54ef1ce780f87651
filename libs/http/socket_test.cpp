#include "libs/http/socket.h"
#include "libs/http/testing/loopback_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "absl/time/clock.h"
#include "libs/http/failure.h"

namespace fluxcpp::http {
namespace {

using Listener = testing::LoopbackListener;

absl::Time Soon() { return absl::Now() + absl::Seconds(5); }

TEST_CASE("socket: IP literals", "[http]") {
  CHECK(IsIpLiteral("127.0.0.1"));
  CHECK(IsIpLiteral("::1"));
  CHECK(IsIpLiteral("fe80::1"));
  CHECK_FALSE(IsIpLiteral("localhost"));
  CHECK_FALSE(IsIpLiteral("[::1]"));
  CHECK_FALSE(IsIpLiteral("10.0.0"));
}

TEST_CASE("socket: connect, write, read, peer close", "[http]") {
  Listener listener;
  auto sock = Socket::Connect("127.0.0.1", listener.port(), Soon(), nullptr);
  REQUIRE(sock.ok());
  int peer = listener.Accept();
  REQUIRE(peer >= 0);
  CHECK(sock->IdleAndOpen());
  REQUIRE(sock->WriteAll("ping", Soon(), nullptr).ok());
  char buf[16];
  REQUIRE(::read(peer, buf, sizeof(buf)) == 4);
  REQUIRE(::write(peer, "pong", 4) == 4);
  auto n = sock->Read(buf, sizeof(buf), Soon(), nullptr);
  REQUIRE(n.ok());
  CHECK(std::string(buf, *n) == "pong");
  ::close(peer);
  // A closed peer shows as "not idle" and then as EOF.
  absl::Time until = absl::Now() + absl::Seconds(2);
  while (sock->IdleAndOpen() && absl::Now() < until) absl::SleepFor(absl::Milliseconds(5));
  CHECK_FALSE(sock->IdleAndOpen());
  n = sock->Read(buf, sizeof(buf), Soon(), nullptr);
  REQUIRE(n.ok());
  CHECK(*n == 0);
  // Writing into a closed connection fails instead of raising SIGPIPE.
  absl::Status w;
  for (int i = 0; i < 100 && w.ok(); ++i) w = sock->WriteAll(std::string(64 * 1024, 'x'), Soon(), nullptr);
  CHECK(FailureOf(w) == Failure::kWriteFailed);
}

TEST_CASE("socket: connect by name and over IPv6 loopback", "[http]") {
  Listener listener;
  auto by_name = Socket::Connect("localhost", listener.port(), Soon(), nullptr);
  CHECK(by_name.ok());  // ::1 may refuse first; 127.0.0.1 accepts
  auto unresolvable = Socket::Connect("no-such-host.invalid", 80, Soon(), nullptr);
  CHECK(FailureOf(unresolvable.status()) == Failure::kConnectFailed);
}

TEST_CASE("socket: refused connection", "[http]") {
  int port;
  {
    Listener closed;
    port = closed.port();
  }
  auto sock = Socket::Connect("127.0.0.1", port, Soon(), nullptr);
  CHECK(FailureOf(sock.status()) == Failure::kConnectFailed);
  CHECK(absl::IsUnavailable(sock.status()));
}

TEST_CASE("socket: read deadline and cancellation", "[http]") {
  Listener listener;
  auto sock = Socket::Connect("127.0.0.1", listener.port(), Soon(), nullptr);
  REQUIRE(sock.ok());
  int peer = listener.Accept();
  char buf[16];
  auto n = sock->Read(buf, sizeof(buf), absl::Now() + absl::Milliseconds(100), nullptr);
  CHECK(FailureOf(n.status()) == Failure::kTimeout);
  CHECK(absl::IsDeadlineExceeded(n.status()));

  // Set from another thread while the read blocks with no deadline.
  std::atomic<bool> stop{false};
  std::thread setter([&] {
    absl::SleepFor(absl::Milliseconds(100));
    stop = true;
  });
  absl::Time start = absl::Now();
  n = sock->Read(buf, sizeof(buf), absl::InfiniteFuture(), [&] { return stop.load(); });
  absl::Duration took = absl::Now() - start;
  setter.join();
  CHECK(FailureOf(n.status()) == Failure::kCancelled);
  CHECK(took < absl::Seconds(2));  // returned because of the flag, not a timeout
  ::close(peer);
}

TEST_CASE("socket: moved-from sockets are closed", "[http]") {
  Listener listener;
  auto sock = Socket::Connect("127.0.0.1", listener.port(), Soon(), nullptr);
  REQUIRE(sock.ok());
  Socket moved = std::move(*sock);
  CHECK(moved.is_open());
  CHECK_FALSE(sock->is_open());
  moved.Close();
  CHECK_FALSE(moved.IdleAndOpen());
}

}  // namespace
}  // namespace fluxcpp::http
