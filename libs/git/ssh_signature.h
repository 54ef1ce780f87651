#pragma once
// SSH signature verification of Git commits and tags (GitRepository
// spec.verify with `.sshpub` keys, spec §3.6): the SSHSIG format that
// `ssh-keygen -Y sign -n git` produces (git's gpg.format=ssh), checked with
// OpenSSL like `ssh-keygen -Y verify -n git` against authorized_keys lines.
// Key types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (signature
// rsa-sha2-256/512). Hash algorithms: sha256, sha512.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::git {

// Parses authorized_keys text (one key per line, optional options before the
// key type, comments and blank lines ignored) into raw public-key blobs.
// Errors: kInvalidArgument when a non-comment line holds no decodable key.
absl::StatusOr<std::vector<std::string>> ParseAuthorizedKeys(std::string_view text);

// "SHA256:<unpadded base64>" fingerprint of a public-key blob, as ssh-keygen -l.
std::string SshKeyFingerprint(std::string_view key_blob);

// Verifies the armored SSH signature `signature` over `payload` with
// namespace "git" against the keys in `authorized_keys` (each an
// authorized_keys text). Returns the signing key's SHA256 fingerprint.
// Errors: kInvalidArgument no usable key / malformed signature / wrong
//         namespace or algorithm;
//         kPermissionDenied the signing key is not among the given keys or
//         the signature does not verify.
absl::StatusOr<std::string> VerifySshSignature(const std::vector<std::string>& authorized_keys,
                                               std::string_view signature,
                                               std::string_view payload);

}  // namespace fluxcpp::git
