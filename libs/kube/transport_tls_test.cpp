// TLS against an in-process httplib::SSLServer with certificates made by the
// openssl CLI: server verification with a given CA, insecure mode, client
// certificates.

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "libs/kube/client.h"
#include "libs/http/testing/test_pki.h"
#include "libs/kube/transport.h"

namespace fluxcpp::kube {
namespace {

namespace fs = std::filesystem;

using Pki = http::testing::TestPki;

class TlsServer {
 public:
  TlsServer(const Pki& pki, bool require_client_cert)
      : server_(pki.path("server.crt").c_str(), pki.path("server.key").c_str(),
                require_client_cert ? pki.path("ca.crt").c_str() : nullptr) {
    REQUIRE(server_.is_valid());
    server_.Get("/version", [](const httplib::Request& req, httplib::Response& res) {
      std::string cn;
      if (req.ssl != nullptr) {
        if (X509* peer = SSL_get_peer_certificate(req.ssl)) {
          char buf[256] = {0};
          X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, buf, sizeof(buf));
          cn = buf;
          X509_free(peer);
        }
      }
      res.set_content("{\"gitVersion\":\"v1.30.0\",\"clientCN\":\"" + cn + "\",\"auth\":\"" +
                          req.get_header_value("Authorization") + "\"}",
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TlsServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

absl::StatusOr<std::string> Version(const Config& config) {
  auto client = Client::Create(config);
  if (!client.ok()) return client.status();
  return (*client)->RawGet("/version");
}

TEST_CASE("TLS: server verification with the configured CA only", "[tls]") {
  Pki pki;
  if (!pki.ok()) {
    WARN("openssl CLI unavailable; skipping TLS tests");
    return;
  }
  TlsServer server(pki, /*require_client_cert=*/false);
  Config config;
  config.server = server.url();
  config.ca_pem = pki.pem("ca.crt");
  config.bearer_token = "tls-token";
  auto v = Version(config);
  REQUIRE(v.ok());
  CHECK(absl::StrContains(*v, "\"auth\":\"Bearer tls-token\""));

  // Another CA: verification fails and is not retried into a hang.
  config.ca_pem = pki.pem("other.crt");
  auto wrong = Version(config);
  CHECK(absl::IsUnavailable(wrong.status()));
  CHECK(absl::StrContains(wrong.status().message(), "certificate"));

  // No CA: the system roots do not know the test CA.
  config.ca_pem.clear();
  CHECK(absl::IsUnavailable(Version(config).status()));

  config.insecure_skip_tls_verify = true;
  CHECK(Version(config).ok());

  // localhost is in the certificate; the host name is checked.
  Config by_name;
  by_name.server = "https://localhost:" + server.url().substr(server.url().rfind(':') + 1);
  by_name.ca_pem = pki.pem("ca.crt");
  CHECK(Version(by_name).ok());
}

TEST_CASE("TLS: client certificate authentication", "[tls]") {
  Pki pki;
  if (!pki.ok()) {
    WARN("openssl CLI unavailable; skipping TLS tests");
    return;
  }
  TlsServer server(pki, /*require_client_cert=*/true);
  Config config;
  config.server = server.url();
  config.ca_pem = pki.pem("ca.crt");
  config.client_cert_pem = pki.pem("client.crt");
  config.client_key_pem = pki.pem("client.key");
  auto v = Version(config);
  REQUIRE(v.ok());
  CHECK(absl::StrContains(*v, "\"clientCN\":\"alice\""));

  Config anonymous = config;
  anonymous.client_cert_pem.clear();
  anonymous.client_key_pem.clear();
  CHECK(absl::IsUnavailable(Version(anonymous).status()));

  Config mismatched = config;
  mismatched.client_key_pem = pki.pem("server.key");
  CHECK(absl::IsInvalidArgument(Client::Create(mismatched).status()));

  Config garbage = config;
  garbage.ca_pem = "not a certificate";
  CHECK(absl::IsInvalidArgument(Client::Create(garbage).status()));
}

TEST_CASE("ParseServerUrl", "[tls]") {
  auto u = ParseServerUrl("https://10.0.0.1:6443");
  REQUIRE(u.ok());
  CHECK(u->https);
  CHECK(u->host == "10.0.0.1");
  CHECK(u->port == 6443);
  CHECK(u->path_prefix.empty());
  u = ParseServerUrl("https://rancher.example.com/k8s/clusters/c-1/");
  REQUIRE(u.ok());
  CHECK(u->port == 443);
  CHECK(u->path_prefix == "/k8s/clusters/c-1");
  u = ParseServerUrl("http://[::1]:8080");
  REQUIRE(u.ok());
  CHECK_FALSE(u->https);
  CHECK(u->host == "::1");
  CHECK(u->port == 8080);
  CHECK(ParseServerUrl("http://[::1]").value().port == 80);
  CHECK_FALSE(ParseServerUrl("ftp://x").ok());
  CHECK_FALSE(ParseServerUrl("https://:443").ok());
  CHECK_FALSE(ParseServerUrl("https://x:99999").ok());
}

}  // namespace
}  // namespace fluxcpp::kube
