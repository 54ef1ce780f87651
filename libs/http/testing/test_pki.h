#pragma once
// Certificates for TLS tests, made with the openssl CLI in a temporary
// directory that lives as long as the object (EC P-256, valid one day):
//   ca.crt/.key        the test CA ("test-ca")
//   server.crt/.key    for IP 127.0.0.1 and DNS localhost, signed by the CA
//   wrong.crt/.key     for DNS other.example only, signed by the CA
//   client.crt/.key    client certificate CN=alice, O=devs, signed by the CA
//   other.crt/.key     an unrelated self-signed CA ("other-ca")
// ok() is false when the openssl CLI is missing or failed (tests skip).

#include <string>

namespace fluxcpp::http::testing {

class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  bool ok() const { return ok_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // The file's PEM text ("" when unreadable).
  std::string pem(const std::string& name) const;

 private:
  bool Run(const std::string& command) const;
  std::string dir_;
  bool ok_ = false;
};

}  // namespace fluxcpp::http::testing
