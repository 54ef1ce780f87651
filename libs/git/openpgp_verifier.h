#pragma once
// OpenPGP signature verification of Git commits and tags (GitRepository
// spec.verify, spec §3.6), in process through gpgme with a throw-away
// GNUPGHOME per call. Like Flux (go-openpgp), only the signature against the
// given keys is checked; owner trust and key expiry policy are not applied.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::git {

// Verifies the detached signature `signature` (armored) over `payload`
// against the public keys in `keyrings` (each armored or binary). Returns the
// signing key's ID (16 upper-case hex digits). Thread-safe.
// Errors: kInvalidArgument no usable key / malformed signature;
//         kPermissionDenied the signature does not verify with these keys;
//         kInternal gpgme/gpg failure (message names the cause).
absl::StatusOr<std::string> VerifyOpenPgpSignature(const std::vector<std::string>& keyrings,
                                                   std::string_view signature,
                                                   std::string_view payload);

}  // namespace fluxcpp::git
