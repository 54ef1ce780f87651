#pragma once
// SOCKS5 client (RFC 1928; username/password auth RFC 1929) for libgit2
// connections, which only know HTTP proxies. The handshake runs inside our
// socket stream (deadline_stream.h) after the TCP connect to the proxy, so
// git://, http://, https:// and ssh:// all tunnel through it, bounded by the
// operation's deadline. `socks5://` resolves the target locally,
// `socks5h://` lets the proxy resolve it.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace fluxcpp::git {

struct ProxyOptions;

struct Socks5Proxy {
  std::string host;
  std::string port = "1080";
  std::string username;  // empty: no authentication offered
  std::string password;
  bool remote_dns = false;  // socks5h

  // "host:port" for messages (never credentials).
  std::string Address() const;
};

// True for socks5:// and socks5h:// URLs (case-insensitive scheme).
bool IsSocks5Url(std::string_view url);

// Parses socks5[h]://[user[:password]@]host[:port]; `username`/`password`
// (from the proxy Secret) override the URL's userinfo when non-empty.
// Errors: kInvalidArgument (message names the redacted address).
absl::StatusOr<Socks5Proxy> ParseSocks5Proxy(std::string_view url, const std::string& username,
                                             const std::string& password);

// The SOCKS5 proxy to use for `remote_url`: the proxySecretRef address when
// it is a socks5 URL; without an address, like Flux's Go transports,
// HTTPS_PROXY (https), HTTP_PROXY (http) or ALL_PROXY (ssh, git) when they
// hold a socks5 URL and NO_PROXY does not exclude the host. nullopt: no SOCKS.
absl::StatusOr<std::optional<Socks5Proxy>> SocksProxyFor(std::string_view remote_url,
                                                         const ProxyOptions& proxy);

// Blocking byte I/O on the connected proxy socket; false on failure with the
// libgit2 error already set (deadline, reset, …).
struct SocksIo {
  std::function<bool(const void* data, size_t len)> write_all;
  std::function<bool(void* data, size_t len)> read_exact;
};

// Client side of the handshake: greeting, optional RFC 1929 auth, CONNECT to
// host:port. Errors (kUnavailable / kUnauthenticated) read
// "socks connect tcp <proxy>-><host>:<port>: <reason>".
absl::Status Socks5Handshake(const SocksIo& io, const Socks5Proxy& proxy, const std::string& host,
                             const std::string& port);

}  // namespace fluxcpp::git
