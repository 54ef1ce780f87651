#include "libs/git/socks5.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "libs/core/testing/temp_dir.h"
#include "libs/git/auth_options.h"
#include "libs/git/clone.h"
#include "libs/git/testing/git_servers.h"

namespace fluxcpp::git {
namespace {

namespace fs = std::filesystem;
using fluxcpp::testing::TempDir;
using testing::GitDaemon;
using testing::GitHttpServer;
using testing::RunGit;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// e2e/testdata/source/socks5_server.py in a child process.
class SocksServer {
 public:
  explicit SocksServer(const std::string& user = "", const std::string& pass = "") {
    const char* src = std::getenv("FLUXCPP_SOURCE_DIR");
    REQUIRE(src != nullptr);
    const std::string script = std::string(src) + "/e2e/testdata/source/socks5_server.py";
    port_file_ = dir_.Join("port");
    log_ = dir_.Join("log");
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      if (user.empty()) {
        ::execlp("python3", "python3", script.c_str(), port_file_.c_str(), log_.c_str(), nullptr);
      } else {
        ::execlp("python3", "python3", script.c_str(), port_file_.c_str(), log_.c_str(),
                 user.c_str(), pass.c_str(), nullptr);
      }
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(port_file_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    REQUIRE(fs::exists(port_file_));
    port_ = Slurp(port_file_);
  }
  ~SocksServer() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string port() const { return port_; }
  std::string log() const { return Slurp(log_); }

 private:
  TempDir dir_{"fluxcpp-socks"};
  std::string port_file_, log_, port_;
  pid_t pid_ = -1;
};

struct Repo {
  TempDir root{"fluxcpp-socks-repo"};
  std::string commit;
  Repo() {
    const std::string src = root.Join("repos/app");
    fs::create_directories(src);
    RunGit(src, {"init", "-q", "-b", "main"});
    std::ofstream(src + "/a.txt") << "hello\n";
    RunGit(src, {"add", "-A"});
    RunGit(src, {"commit", "-q", "-m", "one"});
    commit = RunGit(src, {"rev-parse", "HEAD"}).substr(0, 40);
  }
};

Repo& Fixture() {
  static Repo repo;
  return repo;
}

absl::StatusOr<CloneResult> CloneVia(const std::string& url, const ProxyOptions& proxy,
                                     const TempDir& dir) {
  CloneOptions opts;
  opts.url = url;
  opts.reference.branch = "main";
  opts.auth.proxy = proxy;
  opts.timeout = std::chrono::seconds(20);
  return Clone(opts, dir.Join("out"));
}

// Scoped environment variable.
struct Env {
  std::string name;
  Env(const char* n, const std::string& v) : name(n) { ::setenv(n, v.c_str(), 1); }
  ~Env() { ::unsetenv(name.c_str()); }
};

TEST_CASE("ParseSocks5Proxy", "[unit][git]") {
  auto p = ParseSocks5Proxy("socks5://proxy.local:1081", "", "");
  REQUIRE(p.ok());
  CHECK(p->host == "proxy.local");
  CHECK(p->port == "1081");
  CHECK_FALSE(p->remote_dns);
  CHECK(p->username.empty());

  p = ParseSocks5Proxy("SOCKS5H://u:p%w@[::1]", "", "");
  REQUIRE(p.ok());
  CHECK(p->host == "::1");
  CHECK(p->port == "1080");
  CHECK(p->remote_dns);
  CHECK(p->username == "u");
  CHECK(p->password == "p%w");
  CHECK(p->Address() == "[::1]:1080");

  p = ParseSocks5Proxy("socks5://a:b@h:9/", "secret-user", "secret-pass");
  REQUIRE(p.ok());
  CHECK(p->username == "secret-user");
  CHECK(p->password == "secret-pass");

  for (const char* bad : {"socks5://", "socks5://h:0", "socks5://h:70000", "socks5://h:x",
                          "http://h:1", "socks5://h:1/path", "socks5://[::1"}) {
    INFO(bad);
    CHECK(ParseSocks5Proxy(bad, "", "").status().code() == absl::StatusCode::kInvalidArgument);
  }
  auto redacted = ParseSocks5Proxy("socks5://user:hunter2@h:x", "", "");
  CHECK(std::string(redacted.status().message()).find("hunter2") == std::string::npos);
}

TEST_CASE("SocksProxyFor: Secret address, then the environment like Flux", "[unit][git]") {
  ProxyOptions secret{.address = "socks5h://127.0.0.1:2000", .username = "u", .password = "p"};
  auto p = SocksProxyFor("ssh://git@example.com/x", secret);
  REQUIRE(p.ok());
  REQUIRE(p->has_value());
  CHECK((*p)->port == "2000");
  CHECK((*p)->username == "u");
  CHECK(SocksProxyFor("https://example.com/x", {.address = "http://proxy:3128"})->has_value() ==
        false);

  Env all("ALL_PROXY", "socks5://127.0.0.1:3000");
  Env https("HTTPS_PROXY", "socks5h://127.0.0.1:4000");
  Env http("HTTP_PROXY", "http://127.0.0.1:5000");
  CHECK((*SocksProxyFor("ssh://git@example.com/x", {}))->port == "3000");
  CHECK((*SocksProxyFor("git@example.com:org/x", {}))->port == "3000");
  CHECK((*SocksProxyFor("https://example.com/x", {}))->port == "4000");
  CHECK_FALSE(SocksProxyFor("http://example.com/x", {})->has_value());  // an HTTP proxy: libgit2's
  {
    Env no("NO_PROXY", "internal.example, .corp");
    CHECK_FALSE(SocksProxyFor("ssh://git@internal.example/x", {})->has_value());
    CHECK_FALSE(SocksProxyFor("https://git.corp/x", {})->has_value());
    CHECK(SocksProxyFor("https://git.example.com/x", {})->has_value());
  }
  Env bad("ALL_PROXY", "socks5://h:bad");
  CHECK(SocksProxyFor("ssh://git@example.com/x", {}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Clone through a SOCKS5 proxy over git:// and http://", "[git][socks]") {
  const std::string root = Fixture().root.Join("repos");
  SECTION("no authentication, local DNS") {
    GitDaemon daemon(root);
    SocksServer socks;
    TempDir dir;
    auto r = CloneVia("git://localhost:" + std::to_string(daemon.port()) + "/app",
                      {.address = "socks5://127.0.0.1:" + socks.port()}, dir);
    REQUIRE(r.ok());
    CHECK(r->commit == Fixture().commit);
    const std::string log = socks.log();
    // Resolved here: the proxy saw an address, not the name.
    CHECK(log.find(" " + std::to_string(daemon.port()) + " ip") != std::string::npos);
    CHECK(log.find("localhost") == std::string::npos);
  }
  SECTION("username/password, remote DNS, smart HTTP") {
    GitHttpServer server(root, {});
    SocksServer socks("flux", "pr0xy-pass");
    const std::string url =
        "http://localhost:" + server.Url("app").substr(server.Url("app").rfind(':') + 1);
    TempDir ok_dir;
    auto r = CloneVia(url,
                      {.address = "socks5h://127.0.0.1:" + socks.port(),
                       .username = "flux",
                       .password = "pr0xy-pass"},
                      ok_dir);
    REQUIRE(r.ok());
    CHECK(r->commit == Fixture().commit);
    CHECK(socks.log().find("localhost ") != std::string::npos);
    CHECK(socks.log().find(" domain") != std::string::npos);

    TempDir bad_dir;
    auto bad = CloneVia(url,
                        {.address = "socks5h://127.0.0.1:" + socks.port(),
                         .username = "flux",
                         .password = "wrong-pass"},
                        bad_dir);
    REQUIRE_FALSE(bad.ok());
    const std::string msg(bad.status().message());
    CHECK(msg.find("socks connect tcp 127.0.0.1:" + socks.port() + "->localhost:") !=
          std::string::npos);
    CHECK(msg.find("username/password authentication failed") != std::string::npos);
    CHECK(msg.find("wrong-pass") == std::string::npos);

    TempDir none_dir;
    auto none = CloneVia(url, {.address = "socks5h://127.0.0.1:" + socks.port()}, none_dir);
    REQUIRE_FALSE(none.ok());
    CHECK(std::string(none.status().message()).find("proxy requires authentication") !=
          std::string::npos);
  }
  SECTION("ALL_PROXY for git:// when no proxy Secret is given") {
    GitDaemon daemon(root);
    SocksServer socks;
    Env all("ALL_PROXY", "socks5://127.0.0.1:" + socks.port());
    TempDir dir;
    auto r = CloneVia(daemon.Url("app"), {}, dir);
    REQUIRE(r.ok());
    CHECK(socks.log().find("127.0.0.1 " + std::to_string(daemon.port()) + " ip4") !=
          std::string::npos);
  }
  SECTION("an unreachable proxy names the proxy") {
    GitDaemon daemon(root);
    TempDir dir;
    auto r = CloneVia(daemon.Url("app"), {.address = "socks5://127.0.0.1:1"}, dir);
    REQUIRE_FALSE(r.ok());
    CHECK(std::string(r.status().message()).find("socks connect tcp 127.0.0.1:1->127.0.0.1:") !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace fluxcpp::git
