#include "libs/git/deadline_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "libs/core/testing/temp_dir.h"
#include "libs/git/clone.h"

namespace fluxcpp::git {
namespace {

using fluxcpp::testing::TempDir;
using Clock = std::chrono::steady_clock;

// A listening socket on 127.0.0.1 that never accepts. With `blackhole`, its
// accept queue is filled first, so the kernel drops further SYNs and a new
// connect stalls like one to an unroutable host.
class SilentServer {
 public:
  explicit SilentServer(bool blackhole) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(fd_, blackhole ? 0 : 16) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    if (blackhole) {
      for (int i = 0; i < 4; ++i) {
        int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
        fillers_.push_back(c);
      }
      ::usleep(100 * 1000);
    }
  }
  ~SilentServer() {
    for (int c : fillers_) ::close(c);
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

// An sshd-like peer: accepts, sends an SSH identification banner, then reads
// and discards everything without ever answering (a stall after connect).
class BannerThenSilentServer {
 public:
  BannerThenSilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        ++accepted_;
        const char banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
        (void)!::write(c, banner, sizeof(banner) - 1);
        clients_.push_back(c);  // kept open, never read from again
      }
    });
  }
  ~BannerThenSilentServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    for (int c : clients_) ::close(c);
    ::close(fd_);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::vector<int> clients_;
  std::thread thread_;
};

void ExpectTimeout(const std::string& url) {
  INFO(url);
  TempDir dir;
  CloneOptions opts;
  opts.url = url;
  opts.reference.branch = "main";
  opts.timeout = std::chrono::seconds(1);
  const auto start = Clock::now();
  auto r = Clone(opts, dir.Join("out"));
  const auto took = Clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(std::string(r.status().message()) == "unable to clone '" + url + "': context deadline exceeded");
  CHECK(took >= std::chrono::milliseconds(900));
  CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("A server that accepts and never answers fails at the timeout", "[git][deadline]") {
  SilentServer server(/*blackhole=*/false);
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  ExpectTimeout("git://" + host + "/repo.git");
  ExpectTimeout("http://" + host + "/repo.git");
  ExpectTimeout("https://" + host + "/repo.git");  // stalls in the TLS handshake
  ExpectTimeout("ssh://" + host + "/repo.git");  // libssh2 waits for the banner
}

TEST_CASE("A SOCKS5 proxy that never answers the handshake fails at the timeout", "[git][deadline]") {
  SilentServer proxy(/*blackhole=*/false);
  for (const char* url : {"git://127.0.0.1:9/repo.git", "ssh://127.0.0.1:9/repo.git", "https://127.0.0.1:9/r.git"}) {
    INFO(url);
    TempDir dir;
    CloneOptions opts;
    opts.url = url;
    opts.reference.branch = "main";
    opts.auth.proxy.address = "socks5://127.0.0.1:" + std::to_string(proxy.port());
    opts.timeout = std::chrono::seconds(1);
    const auto start = Clock::now();
    auto r = Clone(opts, dir.Join("out"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kDeadlineExceeded);
    CHECK(Clock::now() - start < std::chrono::seconds(5));
  }
}

TEST_CASE("An SSH server that stalls after its banner fails at the timeout", "[git][deadline]") {
  BannerThenSilentServer server;
  ExpectTimeout("ssh://127.0.0.1:" + std::to_string(server.port()) + "/repo.git");
  CHECK(server.accepted() == 1);
  // ls-remote too, and a later operation on the same thread is unaffected.
  const auto start = Clock::now();
  auto refs = ListRemoteRefs("ssh://git@127.0.0.1:" + std::to_string(server.port()) + "/repo.git", {},
                             std::chrono::seconds(1));
  REQUIRE_FALSE(refs.ok());
  CHECK(refs.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(Clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("A connect that never completes fails at the timeout", "[git][deadline]") {
  SilentServer server(/*blackhole=*/true);
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  ExpectTimeout("git://" + host + "/repo.git");
  ExpectTimeout("ssh://" + host + "/repo.git");
  // ls-remote uses the same transport.
  const auto start = Clock::now();
  auto refs = ListRemoteRefs("http://" + host + "/repo.git", {}, std::chrono::seconds(1));
  REQUIRE_FALSE(refs.ok());
  CHECK(refs.status().code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(Clock::now() - start < std::chrono::seconds(5));
}

}  // namespace
}  // namespace fluxcpp::git
