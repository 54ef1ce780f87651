#include "libs/git/known_hosts.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"

namespace fluxcpp::git {
namespace {

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string Decode64(std::string_view in) {
  std::string out;
  if (!absl::Base64Unescape(absl::string_view(in.data(), in.size()), &out)) return "";
  return out;
}

// "|1|<salt>|<hash>": HMAC-SHA1 keyed by the salt over the host string.
bool HashedHostMatches(std::string_view field, const std::string& host_string) {
  if (field.substr(0, 3) != "|1|") return false;
  std::string_view rest = field.substr(3);
  size_t bar = rest.find('|');
  if (bar == std::string_view::npos) return false;
  std::string salt = Decode64(rest.substr(0, bar));
  std::string want = Decode64(rest.substr(bar + 1));
  if (salt.empty() || want.size() != SHA_DIGEST_LENGTH) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()),
       reinterpret_cast<const unsigned char*>(host_string.data()), host_string.size(), mac, &len);
  return len == want.size() && CRYPTO_memcmp(mac, want.data(), len) == 0;
}

// OpenSSH's match_pattern: `*` and `?` wildcards only, case-insensitive.
bool WildcardMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// True when the comma-separated pattern list names the host (a matching
// negated pattern wins over positive ones).
bool PatternListMatches(std::string_view patterns, const std::string& host_string) {
  bool matched = false;
  size_t start = 0;
  while (start <= patterns.size()) {
    size_t comma = patterns.find(',', start);
    std::string_view p =
        patterns.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    bool negated = !p.empty() && p.front() == '!';
    if (negated) p.remove_prefix(1);
    if (!p.empty() && WildcardMatch(p, host_string)) {
      if (negated) return false;
      matched = true;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return matched;
}

}  // namespace

std::string SshKeyType(std::string_view blob) {
  if (blob.size() < 4) return "";
  uint32_t n = (static_cast<uint8_t>(blob[0]) << 24) | (static_cast<uint8_t>(blob[1]) << 16) |
               (static_cast<uint8_t>(blob[2]) << 8) | static_cast<uint8_t>(blob[3]);
  if (n > blob.size() - 4) return "";
  return std::string(blob.substr(4, n));
}

std::string SshFingerprint(std::string_view blob) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(blob.data()), blob.size(), digest);
  std::string b64 = absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

HostKeyVerdict CheckKnownHosts(std::string_view known_hosts, std::string_view host, int port,
                               std::string_view key_blob) {
  const std::string host_string =
      port == 22 || port <= 0 ? std::string(host)
                              : "[" + std::string(host) + "]:" + std::to_string(port);
  const std::string key_type = SshKeyType(key_blob);
  bool host_known = false;
  bool matched = false;
  size_t pos = 0;
  while (pos < known_hosts.size()) {
    size_t eol = known_hosts.find('\n', pos);
    std::string_view line = known_hosts.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? known_hosts.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> f = SplitFields(line);
    if (f.empty() || f[0].front() == '#') continue;
    bool revoked = false;
    if (f[0].front() == '@') {
      if (f[0] == "@cert-authority") continue;
      if (f[0] != "@revoked") continue;
      revoked = true;
      f.erase(f.begin());
    }
    if (f.size() < 3) continue;
    const bool host_matches = f[0].substr(0, 3) == "|1|" ? HashedHostMatches(f[0], host_string)
                                                         : PatternListMatches(f[0], host_string);
    if (!host_matches && !revoked) continue;
    const std::string blob = Decode64(f[2]);
    const bool same_key = !blob.empty() && blob == key_blob && std::string(f[1]) == key_type;
    if (revoked) {
      if (same_key) return HostKeyVerdict::kRevoked;
      continue;
    }
    host_known = true;
    matched = matched || same_key;  // keep scanning: a later @revoked line wins
  }
  if (matched) return HostKeyVerdict::kMatch;
  return host_known ? HostKeyVerdict::kMismatch : HostKeyVerdict::kUnknown;
}

}  // namespace fluxcpp::git
