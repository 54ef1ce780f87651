// ClientConnection against independent peers: cpp-httplib servers (plain and
// TLS, with certificates made by the openssl CLI) and a raw socket server for
// framings and misbehaviour cpp-httplib does not produce.

#include "libs/http/client_connection.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "libs/http/failure.h"
#include "libs/http/testing/loopback_listener.h"
#include "libs/http/testing/test_pki.h"
#include "libs/http/tls_client_context.h"

namespace fluxcpp::http {
namespace {

namespace fs = std::filesystem;

// cpp-httplib's TLS server writes with write(2): a client hanging up on it
// must not kill the test process.
const bool kSigpipeIgnored = [] {
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}();

using Pki = testing::TestPki;

void AddRoutes(httplib::Server& server) {
  server.Get("/fixed", [](const httplib::Request&, httplib::Response& res) { res.set_content("hello", "text/plain"); });
  server.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
      static const char* parts[] = {"a", "bb", "ccc"};
      (void)offset;
      for (const char* p : parts) sink.write(p, std::strlen(p));
      sink.done();
      return true;
    });
  });
  server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
    res.set_content("late", "text/plain");
  });
  server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.method + " " + req.get_header_value("Host") + " " + req.get_header_value("X-Test") + " " +
                        req.body,
                    "text/plain");
  });
  server.Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(100000, 'z'), "text/plain");
  });
  server.Get("/client", [](const httplib::Request& req, httplib::Response& res) {
    std::string cn;
    if (req.ssl != nullptr) {
      if (X509* peer = SSL_get_peer_certificate(req.ssl)) {
        char buf[256] = {0};
        X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof(buf));
        cn = buf;
        X509_free(peer);
      }
    }
    res.set_content("cn=" + cn, "text/plain");
  });
}

// Runs a cpp-httplib server on 127.0.0.1 in a thread.
class Running {
 public:
  explicit Running(std::unique_ptr<httplib::Server> server) : server_(std::move(server)) {
    REQUIRE(server_->is_valid());
    AddRoutes(*server_);
    server_->set_keep_alive_max_count(100);  // the default closes after 5 requests
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Running() {
    server_->stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

// Accepts connections on 127.0.0.1 and hands each to `serve` in turn.
class RawServer {
 public:
  explicit RawServer(std::function<void(int fd)> serve) : serve_(std::move(serve)) {
    thread_ = std::thread([this] {
      while (true) {
        int c = listener_.Accept();
        if (c < 0) return;
        serve_(c);
        ::close(c);
      }
    });
  }
  ~RawServer() {
    listener_.Shutdown();
    thread_.join();
  }
  int port() const { return listener_.port(); }

 private:
  std::function<void(int)> serve_;
  testing::LoopbackListener listener_;
  std::thread thread_;
};

// Reads one request head (the tests send no bodies to raw servers).
std::string ReadHead(int fd) {
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos && ::read(fd, &c, 1) == 1) head.push_back(c);
  return head;
}

void WriteText(int fd, const std::string& text) { REQUIRE(::write(fd, text.data(), text.size()) == ssize_t(text.size())); }

absl::Time Soon() { return absl::Now() + absl::Seconds(5); }

Request Get(const std::string& target) { return Request{"GET", target, {}, ""}; }

IoOptions Io() {
  IoOptions io;
  io.read_timeout = absl::Seconds(5);
  io.write_timeout = absl::Seconds(5);
  return io;
}

// Sends GET /slow (its handler sleeps 3 s) with a cancel check that turns
// true after 100 ms: the call must end cancelled long before the handler.
void CheckCancelledWhileWaiting(ClientConnection& conn) {
  std::atomic<bool> stop{false};
  IoOptions io = Io();
  io.cancelled = [&] { return stop.load(); };
  std::thread setter([&] {
    absl::SleepFor(absl::Milliseconds(100));
    stop = true;
  });
  absl::Time start = absl::Now();
  auto r = conn.RoundTrip(Get("/slow"), io, 1024);
  absl::Duration took = absl::Now() - start;
  setter.join();
  CHECK(FailureOf(r.status()) == Failure::kCancelled);
  CHECK(took < absl::Seconds(2));
}

TEST_CASE("client: Host header", "[http]") {
  CHECK(HostHeader(Endpoint{"example.com", 80, nullptr}) == "example.com");
  CHECK(HostHeader(Endpoint{"example.com", 8080, nullptr}) == "example.com:8080");
  CHECK(HostHeader(Endpoint{"::1", 6443, nullptr}) == "[::1]:6443");
  CHECK(HostHeader(Endpoint{"10.0.0.1", 443, nullptr}) == "10.0.0.1:443");  // 443 is not plain HTTP's
}

TEST_CASE("client: keep-alive, Content-Length, chunked, POST", "[http]") {
  Running server(std::make_unique<httplib::Server>());
  Endpoint endpoint{"127.0.0.1", server.port(), nullptr};
  auto conn = ClientConnection::Connect(endpoint, Soon(), nullptr);
  REQUIRE(conn.ok());
  auto fixed = (*conn)->RoundTrip(Get("/fixed"), Io(), 1 << 20);
  REQUIRE(fixed.ok());
  CHECK(fixed->head.status == 200);
  CHECK(fixed->body == "hello");
  CHECK((*conn)->reusable());

  auto chunked = (*conn)->RoundTrip(Get("/chunked"), Io(), 1 << 20);
  REQUIRE(chunked.ok());
  CHECK(chunked->body == "abbccc");
  CHECK((*conn)->reusable());

  Request post{"POST", "/echo", {{"X-Test", "yes"}}, "payload"};
  auto echo = (*conn)->RoundTrip(post, Io(), 1 << 20);
  REQUIRE(echo.ok());
  CHECK(echo->body == "POST 127.0.0.1:" + std::to_string(server.port()) + " yes payload");
  CHECK((*conn)->requests() == 3);  // all on one connection

  auto missing = (*conn)->RoundTrip(Get("/missing"), Io(), 1 << 20);
  REQUIRE(missing.ok());
  CHECK(missing->head.status == 404);
  CHECK((*conn)->reusable());

  Request head{"HEAD", "/big", {}, ""};
  auto headed = (*conn)->RoundTrip(head, Io(), 1 << 20);
  REQUIRE(headed.ok());
  CHECK(headed->body.empty());
  CHECK((*conn)->reusable());

  auto big = (*conn)->RoundTrip(Get("/big"), Io(), 1 << 20);
  INFO(big.status().ToString());
  REQUIRE(big.ok());
  CHECK(big->body == std::string(100000, 'z'));

  auto too_big = (*conn)->RoundTrip(Get("/big"), Io(), 1000);
  CHECK(FailureOf(too_big.status()) == Failure::kProtocol);
  CHECK_FALSE((*conn)->reusable());

  Request close{"GET", "/fixed", {{"Connection", "close"}}, ""};
  auto conn2 = ClientConnection::Connect(endpoint, Soon(), nullptr);
  REQUIRE(conn2.ok());
  REQUIRE((*conn2)->RoundTrip(close, Io(), 1 << 20).ok());
  CHECK_FALSE((*conn2)->reusable());
}

TEST_CASE("client: requests that cannot be written are refused", "[http]") {
  Running server(std::make_unique<httplib::Server>());
  auto conn = ClientConnection::Connect(Endpoint{"127.0.0.1", server.port(), nullptr}, Soon(), nullptr);
  REQUIRE(conn.ok());
  Request injected{"GET", "/fixed", {{"X-Evil", "a\r\nInjected: yes"}}, ""};
  auto r = (*conn)->RoundTrip(injected, Io(), 1024);
  CHECK(absl::IsInvalidArgument(r.status()));
  CHECK(FailureOf(r.status()) == Failure::kNone);
  CHECK(absl::IsInvalidArgument((*conn)->RoundTrip(Get("/a b"), Io(), 1024).status()));
  CHECK(absl::IsInvalidArgument((*conn)->RoundTrip(Request{"G T", "/", {}, ""}, Io(), 1024).status()));
}

TEST_CASE("client: streamed body stopped by the callback", "[http]") {
  Running server(std::make_unique<httplib::Server>());
  auto conn = ClientConnection::Connect(Endpoint{"127.0.0.1", server.port(), nullptr}, Soon(), nullptr);
  REQUIRE(conn.ok());
  auto head = (*conn)->Send(Get("/big"), Io());
  REQUIRE(head.ok());
  CHECK(head->status == 200);
  size_t seen = 0;
  auto done = (*conn)->ReadBody(
      [&](std::string_view data) {
        seen += data.size();
        return false;
      },
      Io());
  REQUIRE(done.ok());
  CHECK_FALSE(*done);
  CHECK(seen > 0);
  CHECK_FALSE((*conn)->reusable());
}

TEST_CASE("client: a connection with an unread body is not reused", "[http]") {
  Running server(std::make_unique<httplib::Server>());
  auto conn = ClientConnection::Connect(Endpoint{"127.0.0.1", server.port(), nullptr}, Soon(), nullptr);
  REQUIRE(conn.ok());
  REQUIRE((*conn)->Send(Get("/big"), Io()).ok());
  CHECK_FALSE((*conn)->reusable());
  auto next = (*conn)->Send(Get("/fixed"), Io());
  CHECK(FailureOf(next.status()) == Failure::kWriteFailed);
  CHECK(absl::IsFailedPrecondition((*conn)->ReadBody([](std::string_view) { return true; }, Io()).status()));
}

TEST_CASE("client: close-delimited body and interim responses", "[http]") {
  RawServer raw([](int fd) {
    ReadHead(fd);
    WriteText(fd, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil");
    WriteText(fd, " the end");
  });
  auto conn = ClientConnection::Connect(Endpoint{"127.0.0.1", raw.port(), nullptr}, Soon(), nullptr);
  REQUIRE(conn.ok());
  auto r = (*conn)->RoundTrip(Get("/"), Io(), 1024);
  REQUIRE(r.ok());
  CHECK(r->head.status == 200);
  CHECK(r->body == "until the end");
  CHECK_FALSE((*conn)->reusable());
}

TEST_CASE("client: a pooled connection the server closed is detected", "[http]") {
  RawServer raw([](int fd) {
    ReadHead(fd);
    WriteText(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    // then closes: a keep-alive connection the server gave up on
  });
  auto conn = ClientConnection::Connect(Endpoint{"127.0.0.1", raw.port(), nullptr}, Soon(), nullptr);
  REQUIRE(conn.ok());
  auto r = (*conn)->RoundTrip(Get("/"), Io(), 1024);
  REQUIRE(r.ok());
  CHECK((*conn)->reusable());
  absl::Time until = absl::Now() + absl::Seconds(2);
  while ((*conn)->IdleAndOpen() && absl::Now() < until) absl::SleepFor(absl::Milliseconds(5));
  CHECK_FALSE((*conn)->IdleAndOpen());
  // Using it anyway fails before any response byte.
  auto again = (*conn)->RoundTrip(Get("/"), Io(), 1024);
  Failure kind = FailureOf(again.status());
  CHECK((kind == Failure::kWriteFailed || kind == Failure::kClosedBeforeHead));
}

TEST_CASE("client: garbage from the server is a protocol error", "[http]") {
  RawServer raw([](int fd) {
    ReadHead(fd);
    WriteText(fd, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
  });
  auto conn = ClientConnection::Connect(Endpoint{"127.0.0.1", raw.port(), nullptr}, Soon(), nullptr);
  REQUIRE(conn.ok());
  CHECK(FailureOf((*conn)->RoundTrip(Get("/"), Io(), 1024).status()) == Failure::kProtocol);
  CHECK_FALSE((*conn)->reusable());
}

TEST_CASE("client: read deadline, call deadline and cancellation", "[http]") {
  Running server(std::make_unique<httplib::Server>());
  Endpoint endpoint{"127.0.0.1", server.port(), nullptr};
  {
    auto conn = ClientConnection::Connect(endpoint, Soon(), nullptr);
    REQUIRE(conn.ok());
    IoOptions io = Io();
    io.read_timeout = absl::Milliseconds(200);
    auto r = (*conn)->RoundTrip(Get("/slow"), io, 1024);
    CHECK(FailureOf(r.status()) == Failure::kTimeout);
    CHECK(absl::IsDeadlineExceeded(r.status()));
  }
  {
    auto conn = ClientConnection::Connect(endpoint, Soon(), nullptr);
    REQUIRE(conn.ok());
    IoOptions io = Io();
    io.deadline = absl::Now() + absl::Milliseconds(200);  // tighter than read_timeout
    CHECK(FailureOf((*conn)->RoundTrip(Get("/slow"), io, 1024).status()) == Failure::kTimeout);
  }
  {
    auto conn = ClientConnection::Connect(endpoint, Soon(), nullptr);
    REQUIRE(conn.ok());
    CheckCancelledWhileWaiting(**conn);
  }
}

TEST_CASE("client: refused connection", "[http]") {
  int port;
  {
    Running gone(std::make_unique<httplib::Server>());
    port = gone.port();
  }
  auto conn = ClientConnection::Connect(Endpoint{"127.0.0.1", port, nullptr}, Soon(), nullptr);
  CHECK(FailureOf(conn.status()) == Failure::kConnectFailed);
}

TEST_CASE("TLS client context: bad PEM input", "[http][tls]") {
  Pki pki;
  if (!pki.ok()) {
    WARN("openssl CLI unavailable; skipping");
    return;
  }
  TlsClientOptions o;
  o.ca_pem = "not a certificate";
  auto bad_ca = TlsClientContext::Create(o);
  CHECK(absl::IsInvalidArgument(bad_ca.status()));
  CHECK(absl::StrContains(bad_ca.status().message(), "certificate authority"));
  o.ca_pem = pki.pem("ca.crt");
  o.client_cert_pem = pki.pem("client.crt");
  auto no_key = TlsClientContext::Create(o);
  CHECK(absl::IsInvalidArgument(no_key.status()));
  o.client_key_pem = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n";
  auto garbage_key = TlsClientContext::Create(o);
  CHECK(absl::IsInvalidArgument(garbage_key.status()));
  CHECK_FALSE(absl::StrContains(garbage_key.status().message(), "bm90IGEga2V5"));  // key text never echoed
  o.client_key_pem = pki.pem("server.key");
  auto mismatch = TlsClientContext::Create(o);
  CHECK(absl::IsInvalidArgument(mismatch.status()));
  CHECK(absl::StrContains(mismatch.status().message(), "does not match"));
  o.client_key_pem = pki.pem("client.key");
  CHECK(TlsClientContext::Create(o).ok());
}

TEST_CASE("TLS client: trust, host names, client certificates", "[http][tls]") {
  Pki pki;
  if (!pki.ok()) {
    WARN("openssl CLI unavailable; skipping");
    return;
  }
  auto context = [&](const std::string& ca, bool insecure = false, bool client = false) {
    TlsClientOptions o;
    o.ca_pem = ca.empty() ? "" : pki.pem(ca);
    o.insecure_skip_verify = insecure;
    if (client) {
      o.client_cert_pem = pki.pem("client.crt");
      o.client_key_pem = pki.pem("client.key");
    }
    auto c = TlsClientContext::Create(o);
    REQUIRE(c.ok());
    return *c;
  };
  auto fetch = [&](const std::string& host, int port, std::shared_ptr<const TlsClientContext> tls,
                   const std::string& target = "/fixed") -> absl::StatusOr<Response> {
    auto conn = ClientConnection::Connect(Endpoint{host, port, std::move(tls)}, Soon(), nullptr);
    if (!conn.ok()) return conn.status();
    return (*conn)->RoundTrip(Get(target), Io(), 1 << 20);
  };

  SECTION("server verification") {
    Running server(std::make_unique<httplib::SSLServer>(pki.path("server.crt").c_str(), pki.path("server.key").c_str()));
    auto ok = fetch("127.0.0.1", server.port(), context("ca.crt"));
    REQUIRE(ok.ok());
    CHECK(ok->body == "hello");
    auto chunked = fetch("localhost", server.port(), context("ca.crt"), "/chunked");
    REQUIRE(chunked.ok());
    CHECK(chunked->body == "abbccc");

    auto wrong_ca = fetch("127.0.0.1", server.port(), context("other.crt"));
    CHECK(FailureOf(wrong_ca.status()) == Failure::kTlsVerify);
    CHECK(absl::StrContains(wrong_ca.status().message(), "server certificate verification failed ("));
    // The system roots do not know the test CA either.
    CHECK(FailureOf(fetch("127.0.0.1", server.port(), context("")).status()) == Failure::kTlsVerify);
    CHECK(fetch("127.0.0.1", server.port(), context("other.crt", /*insecure=*/true)).ok());

    // Keep-alive over TLS.
    auto conn = ClientConnection::Connect(Endpoint{"127.0.0.1", server.port(), context("ca.crt")}, Soon(), nullptr);
    REQUIRE(conn.ok());
    for (int i = 0; i < 3; ++i) REQUIRE((*conn)->RoundTrip(Get("/big"), Io(), 1 << 20).ok());
    CHECK((*conn)->requests() == 3);
    CHECK((*conn)->reusable());
    CHECK((*conn)->IdleAndOpen());

    // Cancelled while the TLS read waits.
    CheckCancelledWhileWaiting(**conn);
  }

  SECTION("host name and IP address checks") {
    Running server(std::make_unique<httplib::SSLServer>(pki.path("wrong.crt").c_str(), pki.path("wrong.key").c_str()));
    auto by_ip = fetch("127.0.0.1", server.port(), context("ca.crt"));
    CHECK(FailureOf(by_ip.status()) == Failure::kTlsVerify);
    CHECK(absl::StrContains(by_ip.status().message(), "IP address mismatch"));
    auto by_name = fetch("localhost", server.port(), context("ca.crt"));
    CHECK(FailureOf(by_name.status()) == Failure::kTlsVerify);
    CHECK(absl::StrContains(by_name.status().message(), "hostname mismatch"));
    CHECK(fetch("localhost", server.port(), context("ca.crt", /*insecure=*/true)).ok());
  }

  SECTION("client certificates") {
    Running server(std::make_unique<httplib::SSLServer>(pki.path("server.crt").c_str(), pki.path("server.key").c_str(),
                                                        pki.path("ca.crt").c_str()));
    auto alice = fetch("127.0.0.1", server.port(), context("ca.crt", false, /*client=*/true), "/client");
    REQUIRE(alice.ok());
    CHECK(alice->body == "cn=alice");
    auto anonymous = fetch("127.0.0.1", server.port(), context("ca.crt"), "/client");
    CHECK_FALSE(anonymous.ok());
    Failure kind = FailureOf(anonymous.status());
    INFO(anonymous.status().ToString());
    // The server's alert, or its close racing our request.
    CHECK((kind == Failure::kTlsHandshake || kind == Failure::kClosedBeforeHead || kind == Failure::kWriteFailed));
  }

  SECTION("a plain HTTP server is not TLS") {
    Running server(std::make_unique<httplib::Server>());
    CHECK(FailureOf(fetch("127.0.0.1", server.port(), context("ca.crt")).status()) == Failure::kTlsHandshake);
  }
}

}  // namespace
}  // namespace fluxcpp::http
