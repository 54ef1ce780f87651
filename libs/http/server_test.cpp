#include "libs/http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fluxcpp::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A plain TCP client that speaks raw bytes, to test what a library client
// would never send.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { Close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  void ShutdownWrite() { shutdown(fd_, SHUT_WR); }
  bool Send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  struct Reply {
    int status = 0;
    std::string head;  // status line and headers
    std::string body;
    std::string Header(const std::string& name) const {
      std::string key = "\r\n" + name + ": ";
      size_t at = head.find(key);
      if (at == std::string::npos) return "";
      size_t start = at + key.size();
      return head.substr(start, head.find("\r\n", start) - start);
    }
  };

  // Reads one response (a body only when `with_body`), nullopt on timeout or EOF.
  std::optional<Reply> Read(bool with_body = true, std::chrono::milliseconds timeout = 3000ms) {
    auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    Reply r;
    r.head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    if (r.head.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    r.status = std::stoi(r.head.substr(9, 3));
    if (with_body) {
      size_t length = std::stoul(r.Header("Content-Length"));
      while (buf_.size() < length) {
        if (!Fill(deadline)) return std::nullopt;
      }
      r.body = buf_.substr(0, length);
      buf_.erase(0, length);
    }
    return r;
  }

  // True when the server closed the connection (EOF or reset) within `timeout`
  // and sent nothing more.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    size_t before = buf_.size();
    while (Clock::now() < deadline) {
      if (!Fill(deadline)) return eof_ && buf_.size() == before;
    }
    return false;
  }

 private:
  bool Fill(Clock::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char tmp[4096];
    ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buf_;
};

std::string Get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

// A server with /a and /b on one listener and /other on a second one.
struct Fixture {
  explicit Fixture(ServerOptions options = {}) : server(options) {
    auto l = server.Listen("127.0.0.1", 0);
    REQUIRE(l.ok());
    main = *l;
    auto o = server.Listen("127.0.0.1", 0);
    REQUIRE(o.ok());
    other = *o;
    server.Handle(main, "/a", [this](const RequestHead& r) {
      ++hits;
      return ServerResponse{200, "text/plain; charset=utf-8",
                            "body of a" + (r.query.empty() ? "" : "?" + r.query)};
    });
    server.Handle(main, "/b", [](const RequestHead&) {
      return ServerResponse{503, "application/json", "{\"b\":1}"};
    });
    server.Handle(main, "/throws",
                  [](const RequestHead&) -> ServerResponse { throw std::runtime_error("boom"); });
    server.Handle(other, "/other", [](const RequestHead&) {
      return ServerResponse{200, "text/plain", "other"};
    });
    REQUIRE(server.Start().ok());
  }
  int port() const { return server.port(main); }

  Server server;
  int main = -1;
  int other = -1;
  std::atomic<int> hits{0};
};

TEST_CASE("Server answers a library client on several listeners", "[http][server][unit]") {
  Fixture f;
  REQUIRE(f.port() > 0);
  REQUIRE(f.server.port(f.other) > 0);
  REQUIRE(f.server.port(f.other) != f.port());
  httplib::Client client("127.0.0.1", f.port());
  auto res = client.Get("/a?x=1");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "body of a?x=1");
  CHECK(res->get_header_value("Content-Type") == "text/plain; charset=utf-8");
  res = client.Get("/b");
  REQUIRE(res);
  CHECK(res->status == 503);
  CHECK(res->get_header_value("Content-Type") == "application/json");
  CHECK(res->body == "{\"b\":1}");
  // Routes belong to their listener.
  res = client.Get("/other");
  REQUIRE(res);
  CHECK(res->status == 404);
  httplib::Client other("127.0.0.1", f.server.port(f.other));
  res = other.Get("/other");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "other");
  res = other.Get("/a");
  REQUIRE(res);
  CHECK(res->status == 404);
}

TEST_CASE("Server keeps connections alive and answers pipelined requests in order",
          "[http][server][unit]") {
  Fixture f;
  RawClient c(f.port());
  REQUIRE(c.connected());
  REQUIRE(c.Send(Get("/a")));
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->Header("Connection") == "keep-alive");
  CHECK(r->Header("Content-Length") == "9");
  CHECK_FALSE(r->Header("Date").empty());
  // Three requests in one write, then a fourth on the same connection.
  REQUIRE(c.Send(Get("/b") + Get("/a?1") + Get("/missing")));
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 503);
  r = c.Read();
  REQUIRE(r);
  CHECK(r->body == "body of a?1");
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(r->body == "404 page not found\n");
  REQUIRE(c.Send(Get("/a", "Connection: close\r\n")));
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->Header("Connection") == "close");
  CHECK(c.ClosedWithin(2000ms));
  CHECK(f.hits.load() == 3);
}

TEST_CASE("Server assembles requests that arrive in pieces", "[http][server][unit]") {
  Fixture f;
  RawClient c(f.port());
  const std::string req = Get("/a?slow") + Get("/b");
  for (char ch : req) {
    REQUIRE(c.Send(std::string(1, ch)));
    std::this_thread::sleep_for(1ms);
  }
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->body == "body of a?slow");
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 503);
}

TEST_CASE("Server answers HEAD with headers only", "[http][server][unit]") {
  Fixture f;
  RawClient c(f.port());
  REQUIRE(c.Send("HEAD /a HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = c.Read(/*with_body=*/false);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->Header("Content-Length") == "9");
  CHECK(r->Header("Content-Type") == "text/plain; charset=utf-8");
  // The next response starts right after the head: no body was sent.
  REQUIRE(c.Send("HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/b")));
  r = c.Read(false);
  REQUIRE(r);
  CHECK(r->status == 404);
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(r->body == "{\"b\":1}");
}

TEST_CASE("Server refuses other methods and discards small bodies", "[http][server][unit]") {
  Fixture f;
  RawClient c(f.port());
  REQUIRE(c.Send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" + Get("/a")));
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 405);
  CHECK(r->Header("Allow") == "GET, HEAD");
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(f.hits.load() == 1);
  // The body may come later than the head.
  REQUIRE(c.Send("GET /a HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab"));
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 200);
  REQUIRE(c.Send("cd" + Get("/b")));
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 503);
}

TEST_CASE("Server hands POST bodies to their handler, also when they arrive in pieces",
          "[http][server][unit]") {
  ServerOptions options;
  options.max_body_bytes = 32;
  Server server(options);
  auto l = server.Listen("127.0.0.1", 0);
  REQUIRE(l.ok());
  std::vector<std::string> bodies;
  server.HandlePost(*l, "/events", [&](const RequestHead& r, const std::string& body) {
    bodies.push_back(body);
    return ServerResponse{202, "text/plain", r.method + ":" + body};
  });
  REQUIRE(server.Start().ok());
  RawClient c(server.port(*l));
  REQUIRE(c.Send("POST /events HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello"));
  std::this_thread::sleep_for(50ms);
  REQUIRE(c.Send(" world" "POST /events HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n" + Get("/events")));
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 202);
  CHECK(r->body == "POST:hello world");
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 202);
  CHECK(r->body == "POST:");
  r = c.Read();  // GET on a POST-only route
  REQUIRE(r);
  CHECK(r->status == 405);
  CHECK(r->Header("Allow") == "POST");
  // Over max_body_bytes: refused before the body is read, and closed.
  REQUIRE(c.Send("POST /events HTTP/1.1\r\nHost: t\r\nContent-Length: 33\r\n\r\n"));
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 413);
  CHECK(bodies == std::vector<std::string>{"hello world", ""});
  server.Stop();
}

// Descriptors this process has open.
size_t OpenDescriptors() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// A server whose "/" prefix route serves `path` as a file body.
struct FileFixture {
  explicit FileFixture(const std::string& path) {
    auto l = server.Listen("127.0.0.1", 0);
    REQUIRE(l.ok());
    listener = *l;
    server.Handle(listener, "/exact", [](const RequestHead&) { return ServerResponse{200, "text/plain", "exact"}; });
    server.HandlePrefix(listener, "/files/", [path](const RequestHead& r) {
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      ServerResponse response{200, "application/gzip", ""};
      response.file = std::make_shared<FileBody>(fd, std::filesystem::file_size(path));
      if (r.path == "/files/missing") return ServerResponse{404, "text/plain", "no"};
      return response;
    });
    REQUIRE(server.Start().ok());
  }
  int port() const { return server.port(listener); }
  Server server;
  int listener = -1;
};

TEST_CASE("Server streams file bodies under prefix routes", "[http][server][unit]") {
  const std::string path = (std::filesystem::temp_directory_path() / "fluxcpp-server-file-test.bin").string();
  std::string content(8 << 20, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>((i * 2654435761u) >> 13);
  {
    std::ofstream out(path, std::ios::binary);
    out << content;
  }
  const size_t descriptors_before = OpenDescriptors();
  {
    FileFixture f(path);
    httplib::Client client("127.0.0.1", f.port());
    auto got = client.Get("/files/a.tar.gz");
    REQUIRE(got);
    CHECK(got->status == 200);
    CHECK(got->get_header_value("Content-Length") == std::to_string(content.size()));
    CHECK(got->body == content);  // byte-identical, 8 MiB
    auto head = client.Head("/files/a.tar.gz");
    REQUIRE(head);
    CHECK(head->status == 200);
    CHECK(head->get_header_value("Content-Length") == std::to_string(content.size()));
    CHECK(head->body.empty());
    auto exact = client.Get("/exact");  // an exact route beats the prefix
    REQUIRE(exact);
    CHECK(exact->body == "exact");
    auto outside = client.Get("/other");
    REQUIRE(outside);
    CHECK(outside->status == 404);

    // A client that reads nothing does not hold up another, and one that
    // hangs up mid-file releases the file.
    RawClient stalled(f.port());
    REQUIRE(stalled.Send(Get("/files/a.tar.gz")));
    std::this_thread::sleep_for(100ms);
    httplib::Client other("127.0.0.1", f.port());
    auto quick = other.Get("/exact");
    REQUIRE(quick);
    CHECK(quick->status == 200);
    stalled.Close();
    auto deadline = Clock::now() + 3s;
    // The server notices the hang-up on its next write.
    while (OpenDescriptors() > descriptors_before + 2 && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  }
  CHECK(OpenDescriptors() == descriptors_before);  // every file body closed with the server
  std::filesystem::remove(path);
}

TEST_CASE("Server refuses large and chunked bodies and closes", "[http][server][unit]") {
  ServerOptions o;
  o.max_body_bytes = 16;
  Fixture f(o);
  {
    RawClient c(f.port());
    REQUIRE(c.Send("POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n"));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(r->Header("Connection") == "close");
    CHECK(c.ClosedWithin(3000ms));
  }
  {
    RawClient c(f.port());
    REQUIRE(
        c.Send("POST /a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
               "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 411);
    CHECK(c.ClosedWithin(3000ms));
  }
  {
    RawClient c(f.port());
    REQUIRE(c.Send("GET / HTTP/3.0\r\nHost: t\r\n\r\n"));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 505);
    CHECK(c.ClosedWithin(3000ms));
  }
  CHECK(f.hits.load() == 0);
}

TEST_CASE("Server answers an oversized head with 431 and closes", "[http][server][unit]") {
  ServerOptions o;
  o.max_head_bytes = 1024;
  Fixture f(o);
  RawClient c(f.port());
  // The client keeps sending after the limit; the response still arrives.
  REQUIRE(c.Send("GET /a HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(8000, 'x') + "\r\n\r\n"));
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 431);
  CHECK(r->body.find("too large") != std::string::npos);
  CHECK(c.ClosedWithin(3000ms));
  // A head that fits is fine.
  RawClient ok(f.port());
  REQUIRE(ok.Send(Get("/a", "X-Big: " + std::string(900, 'x') + "\r\n")));
  r = ok.Read();
  REQUIRE(r);
  CHECK(r->status == 200);
}

TEST_CASE("Server answers malformed requests with 400 and closes", "[http][server][unit]") {
  Fixture f;
  RawClient c(f.port());
  REQUIRE(c.Send("GET /a HTTP/1.1\r\n\r\n"));  // no Host
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(r->Header("Connection") == "close");
  CHECK(c.ClosedWithin(3000ms));
  CHECK(f.hits.load() == 0);
}

TEST_CASE("Server answers 500 when a handler throws", "[http][server][unit]") {
  Fixture f;
  httplib::Client client("127.0.0.1", f.port());
  auto res = client.Get("/throws");
  REQUIRE(res);
  CHECK(res->status == 500);
  CHECK(res->body.find("boom") == std::string::npos);
  res = client.Get("/a");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("Server closes HTTP/1.0 connections unless keep-alive", "[http][server][unit]") {
  Fixture f;
  {
    RawClient c(f.port());
    REQUIRE(c.Send("GET /a HTTP/1.0\r\n\r\n"));
    auto r = c.Read();
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->Header("Connection") == "close");
    CHECK(c.ClosedWithin(2000ms));
  }
  RawClient c(f.port());
  REQUIRE(c.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->Header("Connection") == "keep-alive");
  REQUIRE(c.Send("GET /b HTTP/1.0\r\n\r\n"));
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 503);
}

TEST_CASE("Server answers complete requests sent before a half-close", "[http][server][unit]") {
  Fixture f;
  RawClient c(f.port());
  REQUIRE(c.Send(Get("/a") + Get("/b") + "GET /a HT"));
  c.ShutdownWrite();
  auto r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 200);
  r = c.Read();
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(c.ClosedWithin(2000ms));
}

TEST_CASE("A slow client blocks nobody and is dropped after the read timeout",
          "[http][server][unit]") {
  ServerOptions o;
  o.read_timeout = 400ms;
  Fixture f(o);
  RawClient slow(f.port());
  REQUIRE(slow.Send("GET /a HTTP/1.1\r\nHo"));
  RawClient idle(f.port());  // connected, sends nothing
  auto start = Clock::now();
  httplib::Client client("127.0.0.1", f.port());
  for (int i = 0; i < 5; ++i) {
    auto res = client.Get("/a");
    REQUIRE(res);
    CHECK(res->status == 200);
  }
  CHECK(Clock::now() - start < 300ms);
  // Trickling a byte every 100ms does not extend the deadline: the
  // connection goes while the client is still trickling.
  bool closed = false;
  for (int i = 0; i < 15 && !closed; ++i) {
    closed = slow.ClosedWithin(100ms);
    if (!closed) (void)slow.Send("s");
  }
  CHECK(closed);
  CHECK(f.hits.load() == 5);
}

TEST_CASE("Server closes idle keep-alive connections", "[http][server][unit]") {
  ServerOptions o;
  o.idle_timeout = 300ms;
  Fixture f(o);
  RawClient c(f.port());
  // Activity restarts the idle clock.
  for (int i = 0; i < 3; ++i) {
    REQUIRE(c.Send(Get("/a")));
    REQUIRE(c.Read());
    std::this_thread::sleep_for(200ms);
  }
  auto start = Clock::now();
  CHECK(c.ClosedWithin(2000ms));
  CHECK(Clock::now() - start < 1000ms);
}

TEST_CASE("At its connection limit the server replaces idle and slow connections",
          "[http][server][unit]") {
  ServerOptions o;
  o.max_connections = 2;
  Fixture f(o);
  RawClient first(f.port());
  REQUIRE(first.Send(Get("/a")));
  REQUIRE(first.Read());
  std::this_thread::sleep_for(20ms);
  RawClient second(f.port());
  REQUIRE(second.Send(Get("/a")));
  REQUIRE(second.Read());
  // A third client is served at once; the connection idle the longest goes.
  RawClient third(f.port());
  REQUIRE(third.Send(Get("/b")));
  auto r = third.Read(true, 2000ms);
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(first.ClosedWithin(1000ms));
  REQUIRE(second.Send(Get("/a")));
  REQUIRE(second.Read());

  // Slow clients holding every slot lock nobody out either: the one whose
  // request has been arriving the longest makes room, idle ones go first.
  RawClient slow1(f.port());
  REQUIRE(slow1.Send("GET /a HTTP/1.1\r\n"));
  std::this_thread::sleep_for(20ms);
  RawClient slow2(f.port());
  REQUIRE(slow2.Send("GET /a HTTP/1.1\r\n"));
  std::this_thread::sleep_for(50ms);
  CHECK(second.ClosedWithin(500ms));
  CHECK(third.ClosedWithin(500ms));
  httplib::Client client("127.0.0.1", f.port());
  auto res = client.Get("/a");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(slow1.ClosedWithin(1000ms));
  // The newer slow client can still finish its request.
  REQUIRE(slow2.Send("Host: t\r\n\r\n"));
  r = slow2.Read();
  REQUIRE(r);
  CHECK(r->status == 200);
}

TEST_CASE("Server::Stop closes connected clients promptly", "[http][server][unit]") {
  auto f = std::make_unique<Fixture>();
  int port = f->port();
  RawClient idle(port);
  RawClient partial(port);
  REQUIRE(partial.Send("GET /a HTTP/1.1\r\n"));
  RawClient served(port);
  REQUIRE(served.Send(Get("/a")));
  REQUIRE(served.Read());
  auto start = Clock::now();
  f->server.Stop();
  CHECK(Clock::now() - start < 500ms);
  CHECK(idle.ClosedWithin(1000ms));
  CHECK(partial.ClosedWithin(1000ms));
  CHECK(served.ClosedWithin(1000ms));
  f->server.Stop();  // idempotent
  f.reset();
  RawClient after(port);
  CHECK_FALSE(after.connected());
}

TEST_CASE("Server::Listen reports addresses it cannot bind", "[http][server][unit]") {
  Server a;
  auto first = a.Listen("127.0.0.1", 0);
  REQUIRE(first.ok());
  Server b;
  auto taken = b.Listen("127.0.0.1", a.port(*first));
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.status().message().find("cannot listen on 127.0.0.1:") != absl::string_view::npos);
  CHECK(taken.status().message().find("in use") != absl::string_view::npos);
  auto unknown = b.Listen("host.invalid", 0);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("host.invalid:0") != absl::string_view::npos);
  CHECK_FALSE(b.Listen("127.0.0.1", 70000).ok());
  // Names resolve; an empty host is every IPv4 address.
  auto local = b.Listen("localhost", 0);
  REQUIRE(local.ok());
  auto any = b.Listen("", 0);
  REQUIRE(any.ok());
  b.Handle(*any, "/x", [](const RequestHead&) { return ServerResponse{200, "text/plain", "x"}; });
  REQUIRE(b.Start().ok());
  httplib::Client client("127.0.0.1", b.port(*any));
  auto res = client.Get("/x");
  REQUIRE(res);
  CHECK(res->body == "x");
  // An IPv6 wildcard, where the machine has IPv6.
  Server v6;
  if (auto l = v6.Listen("::", 0); l.ok()) {
    v6.Handle(*l, "/x", [](const RequestHead&) { return ServerResponse{200, "text/plain", "v6"}; });
    REQUIRE(v6.Start().ok());
    httplib::Client c4("127.0.0.1", v6.port(*l));  // dual-stack
    auto r = c4.Get("/x");
    if (r) CHECK(r->body == "v6");
  }
}

}  // namespace
}  // namespace fluxcpp::http

namespace fluxcpp::http {
namespace {

TEST_CASE("Server serves many concurrent clients", "[http][server][unit]") {
  Fixture f;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", f.port());
      client.set_keep_alive(t % 2 == 0);  // half reuse one connection, half connect per request
      for (int i = 0; i < 50; ++i) {
        auto res = client.Get(i % 5 == 0 ? "/b" : "/a?" + std::to_string(t));
        if (res &&
            (i % 5 == 0 ? res->status == 503 : res->body == "body of a?" + std::to_string(t)))
          ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  CHECK(ok.load() == 8 * 50);
  CHECK(f.hits.load() == 8 * 40);
}

}  // namespace
}  // namespace fluxcpp::http
