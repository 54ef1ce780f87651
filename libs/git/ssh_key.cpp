#include "libs/git/ssh_key.h"

#include <string>

#include "absl/strings/escaping.h"

namespace fluxcpp::git {

bool IsEncryptedPrivateKey(std::string_view pem) {
  if (pem.find("ENCRYPTED PRIVATE KEY") != std::string_view::npos) return true;
  if (pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) return true;
  constexpr std::string_view kBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
  constexpr std::string_view kEnd = "-----END OPENSSH PRIVATE KEY-----";
  size_t b = pem.find(kBegin);
  size_t e = pem.find(kEnd);
  if (b == std::string_view::npos || e == std::string_view::npos || e < b) return false;
  std::string body;
  for (char c : pem.substr(b + kBegin.size(), e - b - kBegin.size())) {
    if (c != '\n' && c != '\r' && c != ' ') body.push_back(c);
  }
  std::string raw;
  if (!absl::Base64Unescape(body, &raw)) return false;
  // "openssh-key-v1\0" then string ciphername.
  constexpr std::string_view kMagic("openssh-key-v1\0", 15);
  if (raw.size() < kMagic.size() + 4 || std::string_view(raw).substr(0, kMagic.size()) != kMagic)
    return false;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data() + kMagic.size());
  uint32_t n = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  if (n > raw.size() - kMagic.size() - 4) return false;
  return std::string_view(raw).substr(kMagic.size() + 4, n) != "none";
}

}  // namespace fluxcpp::git
