#pragma once
// Inspection of SSH private keys from a GitRepository Secret (`identity`).

#include <string_view>

namespace fluxcpp::git {

// True when the private key (PEM "Proc-Type: 4,ENCRYPTED", PKCS#8
// "ENCRYPTED PRIVATE KEY", or OpenSSH format with a cipher other than
// "none") needs a passphrase. Malformed input returns false.
bool IsEncryptedPrivateKey(std::string_view pem);

}  // namespace fluxcpp::git
