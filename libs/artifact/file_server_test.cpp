#include "libs/artifact/file_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::artifact {
namespace {

using testing::TempDir;
using testing::WriteFile;

// Sends a raw request line (so nothing normalises the path) and returns the response.
std::string RawGet(int port, const std::string& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  REQUIRE(::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
  std::string resp;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return resp;
}

TEST_CASE("FileServer serves files read-only with Content-Length", "[server]") {
  TempDir dir, outside;
  std::string big(300000, 'x');
  WriteFile(dir.Join("gitrepository/ns/app/abc.tar.gz"), big);
  WriteFile(outside.Join("secret.txt"), "secret");
  std::filesystem::create_symlink("abc.tar.gz", dir.Join("gitrepository/ns/app/latest.tar.gz"));
  std::filesystem::create_symlink(outside.Join("secret.txt"), dir.Join("escape.txt"));

  FileServer server(dir.path());
  REQUIRE(server.Start("127.0.0.1:0").ok());
  REQUIRE(server.port() > 0);
  httplib::Client client("127.0.0.1", server.port());

  auto res = client.Get("/gitrepository/ns/app/abc.tar.gz");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == big);
  CHECK(res->get_header_value("Content-Length") == std::to_string(big.size()));

  auto head = client.Head("/gitrepository/ns/app/abc.tar.gz");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->get_header_value("Content-Length") == std::to_string(big.size()));

  auto latest = client.Get("/gitrepository/ns/app/latest.tar.gz");
  REQUIRE(latest);
  CHECK(latest->status == 200);
  CHECK(latest->body.size() == big.size());

  auto missing = client.Get("/gitrepository/ns/app/nope.tar.gz");
  REQUIRE(missing);
  CHECK(missing->status == 404);

  auto root = client.Get("/");
  REQUIRE(root);
  CHECK(root->status == 200);  // readiness probe
  CHECK(root->body.find("gitrepository/") != std::string::npos);

  auto escape = client.Get("/escape.txt");
  REQUIRE(escape);
  CHECK(escape->status == 404);

  for (const char* target : {"/../../../../etc/passwd", "/gitrepository/../../secret.txt",
                             "/%2e%2e/%2e%2e/etc/passwd"}) {
    std::string resp = RawGet(server.port(), target);
    INFO(target);
    CHECK(resp.find("root:") == std::string::npos);
    CHECK(resp.find("secret") == std::string::npos);
    CHECK(resp.rfind("HTTP/1.1 200", 0) != 0);
  }

  auto post = client.Post("/gitrepository/ns/app/abc.tar.gz", "data", "text/plain");
  REQUIRE(post);
  CHECK(post->status != 200);
  CHECK(testing::ReadFile(dir.Join("gitrepository/ns/app/abc.tar.gz")) == big);

  server.Stop();
  auto after = client.Get("/");
  CHECK_FALSE(after);
}

TEST_CASE("FileServer start/stop from another thread and restart", "[server]") {
  TempDir dir;
  WriteFile(dir.Join("f.txt"), "f");
  FileServer server(dir.path());
  REQUIRE(server.Start("127.0.0.1:0").ok());
  CHECK(server.Start("127.0.0.1:0").code() == absl::StatusCode::kFailedPrecondition);
  std::thread stopper([&] { server.Stop(); });
  stopper.join();
  REQUIRE(server.Start("127.0.0.1:0").ok());
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/f.txt");
  REQUIRE(res);
  CHECK(res->body == "f");
  CHECK(server.Start("bad-address").code() == absl::StatusCode::kFailedPrecondition);
  server.Stop();
  CHECK(server.Start("bad-address").code() == absl::StatusCode::kInvalidArgument);

  // Binding an occupied port fails cleanly.
  FileServer a(dir.path()), b(dir.path());
  REQUIRE(a.Start("127.0.0.1:0").ok());
  CHECK(b.Start("127.0.0.1:" + std::to_string(a.port())).code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace fluxcpp::artifact
