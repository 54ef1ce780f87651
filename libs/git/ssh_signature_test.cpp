#include "libs/git/ssh_signature.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using fluxcpp::git::ParseAuthorizedKeys;
using fluxcpp::git::SshKeyFingerprint;
using fluxcpp::git::VerifySshSignature;

namespace {

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  REQUIRE(::pclose(p) == 0);
  return out;
}

// A key pair made by ssh-keygen in a fresh directory, signing with -Y sign.
struct SshKey {
  fs::path dir;
  fs::path key;
  explicit SshKey(const std::string& keygen_args) {
    char tmpl[] = "/tmp/sshsig-test-XXXXXX";
    dir = ::mkdtemp(tmpl);
    key = dir / "id";
    Run("ssh-keygen -q -N '' " + keygen_args + " -C test@example -f " + key.string());
  }
  ~SshKey() { fs::remove_all(dir); }
  std::string Public() const { return ReadFile(key.string() + ".pub"); }
  std::string Fingerprint() const {
    std::string out = Run("ssh-keygen -l -E sha256 -f " + key.string() + ".pub");
    return out.substr(out.find(' ') + 1, out.find(' ', out.find(' ') + 1) - out.find(' ') - 1);
  }
  std::string Sign(const std::string& payload, const std::string& ns = "git",
                   const std::string& extra = "") const {
    const fs::path msg = dir / "msg";
    std::ofstream(msg, std::ios::binary) << payload;
    fs::remove(dir / "msg.sig");
    Run("ssh-keygen -q -Y sign -n " + ns + " " + extra + " -f " + key.string() + " " +
        msg.string() + " 2>/dev/null");
    return ReadFile(dir / "msg.sig");
  }
};

const char* kPayload =
    "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@example.com> 1700000000 +0000\n"
    "committer A <a@example.com> 1700000000 +0000\n\nsigned commit\n";

}  // namespace

TEST_CASE("VerifySshSignature accepts ssh-keygen signatures of every key type", "[unit][git]") {
  const auto [args, extra] = GENERATE(table<std::string, std::string>({
      {"-t ed25519", ""},
      {"-t ed25519", "-O hashalg=sha256"},
      {"-t ecdsa -b 256", ""},
      {"-t ecdsa -b 384", ""},
      {"-t ecdsa -b 521", "-O hashalg=sha256"},
      {"-t rsa -b 2048", ""},
      {"-t rsa -b 2048", "-O hashalg=sha256"},
  }));
  CAPTURE(args, extra);
  SshKey key(args);
  const std::string sig = key.Sign(kPayload, "git", extra);
  REQUIRE(sig.find("-----BEGIN SSH SIGNATURE-----") == 0);
  auto id = VerifySshSignature({key.Public()}, sig, kPayload);
  REQUIRE(id.ok());
  CHECK(*id == key.Fingerprint());

  // One changed byte of the payload breaks the signature.
  std::string tampered = kPayload;
  tampered[tampered.size() - 2] = 'X';
  auto bad = VerifySshSignature({key.Public()}, sig, tampered);
  REQUIRE(bad.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(std::string(bad.status().message()).find("does not verify") != std::string::npos);
}

TEST_CASE("VerifySshSignature finds the signer among several keys and rejects unknown keys",
          "[unit][git]") {
  SshKey signer("-t ed25519");
  SshKey other("-t ecdsa -b 256");
  const std::string sig = signer.Sign(kPayload);
  // authorized_keys with options, comments, blank lines; two Secret entries.
  const std::string many =
      "# trusted\n\n" + other.Public() + "cert-authority,no-pty " + signer.Public();
  auto id = VerifySshSignature({other.Public(), many}, sig, kPayload);
  REQUIRE(id.ok());
  CHECK(*id == signer.Fingerprint());

  auto unknown = VerifySshSignature({other.Public()}, sig, kPayload);
  REQUIRE(unknown.status().code() == absl::StatusCode::kPermissionDenied);
  const std::string msg(unknown.status().message());
  CHECK(msg.find("unable to verify payload with any of the given authorized keys") == 0);
  CHECK(msg.find(signer.Fingerprint()) != std::string::npos);
}

TEST_CASE("VerifySshSignature rejects other namespaces and malformed input", "[unit][git]") {
  SshKey key("-t ed25519");
  auto wrong_ns = VerifySshSignature({key.Public()}, key.Sign(kPayload, "file"), kPayload);
  REQUIRE(wrong_ns.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(wrong_ns.status().message()).find("namespace 'file'") != std::string::npos);

  std::string sig = key.Sign(kPayload);
  auto no_keys = VerifySshSignature({}, sig, kPayload);
  CHECK(no_keys.status().code() == absl::StatusCode::kInvalidArgument);
  auto bad_key = VerifySshSignature({"ssh-ed25519 not-base64!"}, sig, kPayload);
  CHECK(bad_key.status().code() == absl::StatusCode::kInvalidArgument);
  auto pgp = VerifySshSignature(
      {key.Public()}, "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----", kPayload);
  CHECK(pgp.status().code() == absl::StatusCode::kInvalidArgument);
  // Truncated body.
  const size_t end = sig.find("-----END");
  std::string cut = sig.substr(0, end - 20) + "\n" + sig.substr(end);
  CHECK(VerifySshSignature({key.Public()}, cut, kPayload).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ParseAuthorizedKeys and SshKeyFingerprint", "[unit][git]") {
  SshKey key("-t ed25519");
  auto keys = ParseAuthorizedKeys("\n# c\n" + key.Public());
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 1);
  CHECK(SshKeyFingerprint(keys->front()) == key.Fingerprint());
  CHECK(!ParseAuthorizedKeys("ssh-rsa AAAA garbage\n").ok());
}
