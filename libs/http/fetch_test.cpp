// Fetch against cpp-httplib servers (an independent peer).

#include "libs/http/fetch.h"

#include <httplib.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/http/failure.h"

namespace fluxcpp::http {
namespace {

class TestServer {
 public:
  TestServer() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
  }
  httplib::Server& server() { return server_; }
  std::string url(const std::string& path) const { return absl::StrCat("http://127.0.0.1:", port_, path); }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_CASE("Fetch streams the final body and follows redirects for GET") {
  TestServer srv;
  std::string seen_auth;
  srv.server().Get("/start", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/mid/x", 302); });
  srv.server().Get("/mid/x", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("../final?v=1", 301); });
  srv.server().Get("/final", [&](const httplib::Request& req, httplib::Response& res) {
    seen_auth = req.get_header_value("Authorization");
    res.set_content(std::string(100000, 'z') + req.get_param_value("v"), "text/plain");
  });
  FetchOptions options;
  options.headers = {{"Authorization", "Bearer t"}};
  int status = 0;
  std::string body;
  auto head = Fetch(srv.url("/start"), options,
                    {.on_head = [&](const ResponseHead& h) { status = h.status; },
                     .on_data = [&](std::string_view d) {
                       body.append(d);
                       return true;
                     }});
  REQUIRE(head.ok());
  CHECK(head->status == 200);
  CHECK(status == 200);
  CHECK(body.size() == 100001);
  CHECK(body.back() == '1');
  CHECK(seen_auth == "Bearer t");  // same host: kept

  options.max_redirects = 0;
  head = Fetch(srv.url("/start"), options);
  REQUIRE(head.ok());
  CHECK(head->status == 302);
}

TEST_CASE("Fetch drops Authorization when a redirect leaves the host") {
  TestServer a;
  TestServer b;
  std::string seen_auth = "unset";
  a.server().Get("/", [&](const httplib::Request&, httplib::Response& res) {
    // "localhost" is another host than 127.0.0.1 as far as the client knows.
    res.set_redirect(absl::StrCat("http://localhost:", b.port(), "/x"), 307);
  });
  b.server().Get("/x", [&](const httplib::Request& req, httplib::Response& res) {
    seen_auth = req.get_header_value("Authorization");
    res.set_content("ok", "text/plain");
  });
  FetchOptions options;
  options.headers = {{"Authorization", "Bearer secret"}};
  auto head = Fetch(a.url("/"), options);
  REQUIRE(head.ok());
  CHECK(head->status == 200);
  CHECK(seen_auth.empty());
}

TEST_CASE("Fetch stops redirect loops, reports stops and network failures") {
  TestServer srv;
  srv.server().Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop", 302); });
  srv.server().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(1 << 20, 'a'), "text/plain");
  });
  auto head = Fetch(srv.url("/loop"), {});
  REQUIRE_FALSE(head.ok());
  CHECK(head.status().code() == absl::StatusCode::kResourceExhausted);

  size_t got = 0;
  head = Fetch(srv.url("/big"), {}, {.on_data = [&](std::string_view d) {
                                       got += d.size();
                                       return got < 1000;
                                     }});
  REQUIRE_FALSE(head.ok());
  CHECK(head.status().code() == absl::StatusCode::kAborted);

  // A port nobody listens on (the server's, once it is gone).
  int port = 0;
  {
    TestServer gone;
    port = gone.port();
  }
  head = Fetch(absl::StrCat("http://127.0.0.1:", port, "/x"), {});
  REQUIRE_FALSE(head.ok());
  CHECK(FailureOf(head.status()) == Failure::kConnectFailed);
  CHECK(std::string(head.status().message()).find(absl::StrCat("GET http://127.0.0.1:", port, "/x: ")) == 0);

  head = Fetch("ftp://h/x", {});
  CHECK(head.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Fetch sends POST bodies and does not follow their redirects") {
  TestServer srv;
  std::string received;
  srv.server().Post("/events", [&](const httplib::Request& req, httplib::Response& res) {
    received = req.body;
    res.set_redirect("/elsewhere", 302);
  });
  FetchOptions options;
  options.method = "POST";
  options.body = R"({"a":1})";
  options.headers = {{"Content-Type", "application/json"}};
  auto head = Fetch(srv.url("/events"), options);
  REQUIRE(head.ok());
  CHECK(head->status == 302);
  CHECK(received == R"({"a":1})");
}

}  // namespace
}  // namespace fluxcpp::http
