#include "libs/git/tls_stream.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "libs/core/testing/temp_dir.h"
#include "libs/git/clone.h"
#include "libs/git/testing/git_servers.h"

namespace fluxcpp::git {
namespace {

namespace fs = std::filesystem;
using fluxcpp::testing::ReadFile;
using fluxcpp::testing::RunCommand;
using fluxcpp::testing::TempDir;
using fluxcpp::testing::WriteFile;
using testing::GitHttpServer;
using testing::RunGit;

void Openssl(std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  auto r = RunCommand(args);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

// server.{crt,key}: self-signed for 127.0.0.1; client-ca.{crt,key} signs
// client.{crt,key}; other.{crt,key}: a self-signed client certificate.
void MakeCertificates(const TempDir& d) {
  Openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
           "subjectAltName=IP:127.0.0.1", "-keyout", d.Join("server.key"), "-out", d.Join("server.crt")});
  Openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=client-ca", "-keyout",
           d.Join("client-ca.key"), "-out", d.Join("client-ca.crt")});
  Openssl({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=flux", "-keyout", d.Join("client.key"), "-out",
           d.Join("client.csr")});
  Openssl({"x509", "-req", "-in", d.Join("client.csr"), "-CA", d.Join("client-ca.crt"), "-CAkey",
           d.Join("client-ca.key"), "-CAcreateserial", "-days", "2", "-out", d.Join("client.crt")});
  Openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other", "-keyout",
           d.Join("other.key"), "-out", d.Join("other.crt")});
}

TEST_CASE("Clone over HTTPS presents the client certificate", "[git][tls]") {
  TempDir root;
  const std::string src = root.Join("repos/app");
  fs::create_directories(src);
  RunGit(src, {"init", "-q", "-b", "main"});
  WriteFile(src + "/a.txt", "mtls\n");
  RunGit(src, {"add", "-A"});
  RunGit(src, {"commit", "-q", "-m", "first"});
  TempDir certs;
  MakeCertificates(certs);
  GitHttpServer server(root.Join("repos"), {.tls_cert_path = certs.Join("server.crt"),
                                            .tls_key_path = certs.Join("server.key"),
                                            .client_ca_path = certs.Join("client-ca.crt")});
  auto clone = [&](const std::string& cert, const std::string& key) {
    TempDir out;
    CloneOptions opts;
    opts.url = server.Url("app");
    opts.reference.branch = "main";
    opts.timeout = std::chrono::seconds(20);
    opts.auth.ca_pem = ReadFile(certs.Join("server.crt"));
    if (!cert.empty()) {
      opts.auth.tls_cert_pem = ReadFile(certs.Join(cert));
      opts.auth.tls_key_pem = ReadFile(certs.Join(key));
    }
    auto r = Clone(opts, out.Join("co"));
    if (r.ok()) CHECK(ReadFile(out.Join("co/a.txt")) == "mtls\n");
    return r;
  };
  auto good = clone("client.crt", "client.key");
  INFO((good.ok() ? std::string() : std::string(good.status().message())));
  REQUIRE(good.ok());
  CHECK(good->revision == "main@sha1:" + RunGit(src, {"rev-parse", "HEAD"}).substr(0, 40));

  auto none = clone("", "");
  REQUIRE_FALSE(none.ok());
  CHECK(std::string(none.status().message()).rfind("unable to clone '" + server.Url("app") + "': ", 0) == 0);
  auto untrusted = clone("other.crt", "other.key");
  CHECK_FALSE(untrusted.ok());
  auto mismatched = clone("client.crt", "other.key");
  REQUIRE_FALSE(mismatched.ok());
  CHECK(mismatched.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(std::string(mismatched.status().message()).find("'tls.key' does not match") != std::string::npos);
  // Key material never appears in errors.
  CHECK(std::string(mismatched.status().message()).find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("ValidateClientCertificate names the bad field", "[git][tls]") {
  TempDir certs;
  MakeCertificates(certs);
  CHECK(ValidateClientCertificate(ReadFile(certs.Join("client.crt")), ReadFile(certs.Join("client.key"))).ok());
  CHECK(ValidateClientCertificate("junk", ReadFile(certs.Join("client.key"))).message() ==
        "'tls.crt' is not a PEM certificate");
  CHECK(ValidateClientCertificate(ReadFile(certs.Join("client.crt")), "junk").message() ==
        "'tls.key' is not a PEM private key");
}

}  // namespace
}  // namespace fluxcpp::git
