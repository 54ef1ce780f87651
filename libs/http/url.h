#pragma once
// Absolute http(s) URLs as the one-shot clients (artifact downloads, remote
// kustomize files, event webhooks) use them: split into what a connection
// needs, and redirect targets resolved against the URL they came from.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fluxcpp::http {

struct Url {
  bool https = false;
  std::string host;    // DNS name or IP literal (IPv6 without brackets), lower-cased
  int port = 0;        // the scheme's default when the URL names none
  std::string target;  // origin form: path (at least "/") and query; no fragment

  // "https://host:port" with the port only when not the default.
  std::string Origin() const;
  std::string String() const { return Origin() + target; }
};

// InvalidArgument naming the URL for: a scheme other than http/https, no
// host, user info ("user:pass@host": credentials do not belong in URLs),
// a bad port, spaces or control characters.
absl::StatusOr<Url> ParseUrl(std::string_view url);

// The URL a Location header points to, relative to `base`: absolute URLs,
// scheme-relative ("//host/p"), absolute paths and relative paths
// (RFC 3986 §5.2, dot segments removed).
absl::StatusOr<Url> ResolveReference(const Url& base, std::string_view location);

}  // namespace fluxcpp::http
