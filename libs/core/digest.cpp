#include "libs/core/digest.h"

#include <openssl/evp.h>

#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace fluxcpp {

absl::StatusOr<Hasher> Hasher::Create(std::string_view algorithm) {
  const EVP_MD* md = nullptr;
  if (algorithm == "sha256") md = EVP_sha256();
  else if (algorithm == "sha384") md = EVP_sha384();
  else if (algorithm == "sha512") md = EVP_sha512();
  else if (algorithm == "sha1") md = EVP_sha1();
  if (md == nullptr) return absl::InvalidArgumentError(absl::StrCat("unsupported digest algorithm '", std::string(algorithm), "'"));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, md, nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return absl::InternalError("failed to initialise digest");
  }
  return Hasher(ctx, std::string(algorithm));
}

Hasher::Hasher(Hasher&& other) noexcept : ctx_(other.ctx_), algorithm_(std::move(other.algorithm_)) {
  other.ctx_ = nullptr;
}

Hasher& Hasher::operator=(Hasher&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
    ctx_ = other.ctx_;
    algorithm_ = std::move(other.algorithm_);
    other.ctx_ = nullptr;
  }
  return *this;
}

Hasher::~Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Hasher::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

std::string Hasher::FinishHex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(out), len));
}

namespace {
std::string HexOf(std::string_view algorithm, std::string_view data) {
  auto hasher = Hasher::Create(algorithm);
  hasher->Update(data);
  return hasher->FinishHex();
}
}  // namespace

std::string Sha256Hex(std::string_view data) { return HexOf("sha256", data); }
std::string Sha1Hex(std::string_view data) { return HexOf("sha1", data); }
std::string Sha256Digest(std::string_view data) { return "sha256:" + Sha256Hex(data); }

absl::Status VerifyDigest(std::string_view data, std::string_view digest) {
  std::string_view algorithm = "sha256";
  std::string_view expected = digest;
  if (size_t colon = digest.find(':'); colon != std::string_view::npos) {
    algorithm = digest.substr(0, colon);
    expected = digest.substr(colon + 1);
  }
  auto hasher = Hasher::Create(algorithm);
  if (!hasher.ok()) return hasher.status();
  hasher->Update(data);
  std::string actual = hasher->FinishHex();
  if (actual != expected) {
    return absl::DataLossError(absl::StrCat("computed digest doesn't match provided '", std::string(digest), "' (",
                                            std::string(algorithm), ":", actual, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FileDigest(const std::string& path, std::string_view algorithm) {
  auto hasher = Hasher::Create(algorithm);
  if (!hasher.ok()) return hasher.status();
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof(buf));
    hasher->Update(std::string_view(buf, static_cast<size_t>(in.gcount())));
  }
  return std::string(algorithm) + ":" + hasher->FinishHex();
}

}  // namespace fluxcpp
