#include "libs/git/known_hosts.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "libs/git/ssh_key.h"

namespace fluxcpp::git {
namespace {

const char kKey1[] = "AAAAC3NzaC1lZDI1NTE5AAAAIGGe6JGimZcEJdWw/60nx0o116/6YyMBRFrOZHNrYjLS";
const char kKey2[] = "AAAAC3NzaC1lZDI1NTE5AAAAICYu6qJTRyMFCeSN8kpBwQ51iwHaTul6Qwuiuogcuvw1";
// HMAC-SHA1 of "[127.0.0.1]:2222" and "github.com" with salt "0123456789abcdefghij".
const char kHashedLocal[] = "|1|MDEyMzQ1Njc4OWFiY2RlZmdoaWo=|kjl9J932vxVxCmU2IfKMefPFSKM=";
const char kHashedGithub[] = "|1|MDEyMzQ1Njc4OWFiY2RlZmdoaWo=|anUhMiNmCXr96buiAF9of6zM1wM=";

std::string Blob(const char* b64) {
  std::string out;
  absl::Base64Unescape(b64, &out);
  return out;
}

TEST_CASE("known_hosts plain entries with ports", "[git][ssh]") {
  const std::string kh = std::string("# comment\n\n[127.0.0.1]:2222 ssh-ed25519 ") + kKey1 +
                         "\nexample.com,10.0.0.1 ssh-ed25519 " + kKey2 + "\n";
  CHECK(CheckKnownHosts(kh, "127.0.0.1", 2222, Blob(kKey1)) == HostKeyVerdict::kMatch);
  CHECK(CheckKnownHosts(kh, "127.0.0.1", 2222, Blob(kKey2)) == HostKeyVerdict::kMismatch);
  CHECK(CheckKnownHosts(kh, "127.0.0.1", 22, Blob(kKey1)) == HostKeyVerdict::kUnknown);
  CHECK(CheckKnownHosts(kh, "10.0.0.1", 22, Blob(kKey2)) == HostKeyVerdict::kMatch);
  CHECK(CheckKnownHosts(kh, "EXAMPLE.com", 22, Blob(kKey2)) == HostKeyVerdict::kMatch);
  CHECK(CheckKnownHosts("", "example.com", 22, Blob(kKey2)) == HostKeyVerdict::kUnknown);
}

TEST_CASE("known_hosts hashed entries", "[git][ssh]") {
  const std::string kh = std::string(kHashedLocal) + " ssh-ed25519 " + kKey1 + "\n" + kHashedGithub +
                         " ssh-ed25519 " + kKey2 + "\r\n";
  CHECK(CheckKnownHosts(kh, "127.0.0.1", 2222, Blob(kKey1)) == HostKeyVerdict::kMatch);
  CHECK(CheckKnownHosts(kh, "github.com", 22, Blob(kKey2)) == HostKeyVerdict::kMatch);
  CHECK(CheckKnownHosts(kh, "github.com", 22, Blob(kKey1)) == HostKeyVerdict::kMismatch);
  CHECK(CheckKnownHosts(kh, "gitlab.com", 22, Blob(kKey1)) == HostKeyVerdict::kUnknown);
}

TEST_CASE("known_hosts wildcards, negation, revocation, key type", "[git][ssh]") {
  const std::string kh = std::string("*.example.com,!bad.example.com ssh-ed25519 ") + kKey1 +
                         "\n@revoked * ssh-ed25519 " + kKey2 + "\n@cert-authority * ssh-ed25519 " +
                         kKey2 + "\nother.org ssh-rsa " + kKey1 + "\n";
  CHECK(CheckKnownHosts(kh, "git.example.com", 22, Blob(kKey1)) == HostKeyVerdict::kMatch);
  CHECK(CheckKnownHosts(kh, "bad.example.com", 22, Blob(kKey1)) == HostKeyVerdict::kUnknown);
  CHECK(CheckKnownHosts(kh, "git.example.com", 22, Blob(kKey2)) == HostKeyVerdict::kRevoked);
  // The type field must agree with the blob.
  CHECK(CheckKnownHosts(kh, "other.org", 22, Blob(kKey1)) == HostKeyVerdict::kMismatch);
  CHECK(SshKeyType(Blob(kKey1)) == "ssh-ed25519");
  CHECK(SshFingerprint(Blob(kKey1)) == "SHA256:c9Dh/XcBUYsawc4BGvzM1zPNOT1c3OokOm7Mk68oHFQ");
}

TEST_CASE("IsEncryptedPrivateKey", "[git][ssh]") {
  CHECK(IsEncryptedPrivateKey("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"));
  CHECK(IsEncryptedPrivateKey("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"));
  CHECK_FALSE(IsEncryptedPrivateKey("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"));
  // openssh-key-v1 with cipher "none" / "aes256-ctr" (header only).
  std::string none = std::string("openssh-key-v1\0", 15) + std::string("\0\0\0\4none", 8);
  std::string aes = std::string("openssh-key-v1\0", 15) + std::string("\0\0\0\12aes256-ctr", 14);
  auto wrap = [](const std::string& raw) {
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + absl::Base64Escape(raw) +
           "\n-----END OPENSSH PRIVATE KEY-----\n";
  };
  CHECK_FALSE(IsEncryptedPrivateKey(wrap(none)));
  CHECK(IsEncryptedPrivateKey(wrap(aes)));
}

}  // namespace
}  // namespace fluxcpp::git
