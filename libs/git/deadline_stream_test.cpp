#include "libs/git/deadline_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <vector>

#include "libs/artifact/testing/temp_dir.h"
#include "libs/git/clone.h"

namespace fluxcpp::git {
namespace {

using artifact::testing::TempDir;
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
