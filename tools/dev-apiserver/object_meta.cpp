#include "tools/dev-apiserver/object_meta.h"

#include <openssl/rand.h>

#include <cstdio>
#include <random>

#include "absl/strings/str_cat.h"

namespace fluxcpp::devapiserver {
namespace {

void RandomBytes(unsigned char* out, int n) {
  if (RAND_bytes(out, n) != 1) {
    static thread_local std::mt19937_64 gen{std::random_device{}()};
    for (int i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(gen());
  }
}

bool IsAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool ValidLabel(absl::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!IsAlnumLower(s.front()) || !IsAlnumLower(s.back())) return false;
  for (char c : s) {
    if (!IsAlnumLower(c) && c != '-') return false;
  }
  return true;
}

}  // namespace

std::string NewUid() {
  unsigned char b[16];
  RandomBytes(b, sizeof(b));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof(out), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

std::string GenerateName(absl::string_view prefix) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  unsigned char b[5];
  RandomBytes(b, sizeof(b));
  std::string out(prefix.substr(0, 58));
  for (unsigned char c : b) out.push_back(kAlphabet[c % (sizeof(kAlphabet) - 1)]);
  return out;
}

std::optional<std::string> ValidateDnsSubdomain(absl::string_view name) {
  bool ok = !name.empty() && name.size() <= 253;
  if (ok) {
    size_t start = 0;
    while (true) {
      size_t dot = name.find('.', start);
      absl::string_view part = name.substr(start, dot == absl::string_view::npos ? dot : dot - start);
      // Subdomain parts may exceed 63 chars in kube's regex; only the charset matters.
      if (part.empty() || !IsAlnumLower(part.front()) || !IsAlnumLower(part.back())) {
        ok = false;
        break;
      }
      for (char c : part) {
        if (!IsAlnumLower(c) && c != '-') ok = false;
      }
      if (dot == absl::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (ok) return std::nullopt;
  if (name.size() > 253) return "must be no more than 253 characters";
  return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
         "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
}

std::optional<std::string> ValidateDnsLabel(absl::string_view name) {
  if (ValidLabel(name)) return std::nullopt;
  if (name.size() > 63) return "must be no more than 63 characters";
  return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
         "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
}

std::optional<std::string> ValidatePathSegmentName(absl::string_view name) {
  if (name == "." || name == "..") return absl::StrCat("may not be '", name, "'");
  if (name.find('/') != absl::string_view::npos) return "may not contain '/'";
  if (name.find('%') != absl::string_view::npos) return "may not contain '%'";
  return std::nullopt;
}

}  // namespace fluxcpp::devapiserver
