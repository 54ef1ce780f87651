#pragma once
// Content digests in the OCI "<algorithm>:<hex>" form Flux records.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fluxcpp {

// Incremental hasher over OpenSSL EVP. Not thread-safe; movable.
class Hasher {
 public:
  // `algorithm` is one of sha256, sha384, sha512, sha1.
  static absl::StatusOr<Hasher> Create(std::string_view algorithm);
  Hasher(Hasher&& other) noexcept;
  Hasher& operator=(Hasher&& other) noexcept;
  ~Hasher();

  void Update(std::string_view data);
  // Lower-case hex of the digest; the hasher cannot be reused afterwards.
  std::string FinishHex();
  const std::string& algorithm() const { return algorithm_; }

 private:
  Hasher(void* ctx, std::string algorithm) : ctx_(ctx), algorithm_(std::move(algorithm)) {}
  void* ctx_ = nullptr;  // EVP_MD_CTX*, owned
  std::string algorithm_;
};

std::string Sha256Hex(std::string_view data);
std::string Sha1Hex(std::string_view data);

// "sha256:<hex>" of `data`.
std::string Sha256Digest(std::string_view data);

// Checks a "<algo>:<hex>" digest (or a bare hex, taken as sha256) against data.
absl::Status VerifyDigest(std::string_view data, std::string_view digest);

// Digest of a file's contents, read in chunks.
absl::StatusOr<std::string> FileDigest(const std::string& path, std::string_view algorithm = "sha256");

}  // namespace fluxcpp
