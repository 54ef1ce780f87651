#include "libs/http/testing/test_pki.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fluxcpp::http::testing {

namespace fs = std::filesystem;

TestPki::TestPki() {
  std::string tmpl = (fs::temp_directory_path() / "fluxcpp-test-pki-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return;
  dir_ = tmpl;
  std::ofstream(path("server.ext")) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  std::ofstream(path("wrong.ext")) << "subjectAltName=DNS:other.example\n";
  std::ofstream(path("client.ext")) << "extendedKeyUsage=clientAuth\n";
  const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  auto sign = [&](const std::string& name, const std::string& subject) {
    return Run("openssl req " + ec + " -keyout " + name + ".key -out " + name + ".csr -subj " + subject) &&
           Run("openssl x509 -req -in " + name + ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -out " + name +
               ".crt -days 1 -extfile " + name + ".ext");
  };
  ok_ = Run("openssl req -x509 " + ec + " -keyout ca.key -out ca.crt -days 1 -subj /CN=test-ca") &&
        sign("server", "/CN=127.0.0.1") && sign("wrong", "/CN=other.example") && sign("client", "/CN=alice/O=devs") &&
        Run("openssl req -x509 " + ec + " -keyout other.key -out other.crt -days 1 -subj /CN=other-ca");
}

TestPki::~TestPki() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string TestPki::pem(const std::string& name) const {
  std::ifstream in(path(name));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool TestPki::Run(const std::string& command) const {
  return std::system(("cd " + dir_ + " && " + command + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace fluxcpp::http::testing
