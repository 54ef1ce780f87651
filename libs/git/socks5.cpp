#include "libs/git/socks5.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/git/auth_options.h"
#include "libs/git/libgit2_support.h"

namespace fluxcpp::git {
namespace {

std::string Lower(std::string_view s) { return absl::AsciiStrToLower(std::string(s)); }

std::string Getenv(const char* upper, const char* lower) {
  const char* v = std::getenv(upper);
  if (v == nullptr || *v == '\0') v = std::getenv(lower);
  return v == nullptr ? "" : v;
}

// Host (without brackets/port/userinfo) of a URL or scp-like address.
std::string HostOf(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  std::string_view rest = url.substr(start);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') return std::string(rest.substr(1, rest.find(']') - 1));
  if (start == 0) return std::string(rest.substr(0, rest.find(':')));  // scp-like git@host:path
  return std::string(
      rest.substr(0, rest.rfind(':') == std::string_view::npos ? rest.size() : rest.rfind(':')));
}

// NO_PROXY matching like Go's httpproxy: "*", exact host, ".suffix" / suffix.
bool Excluded(const std::string& host) {
  const std::string no_proxy = Getenv("NO_PROXY", "no_proxy");
  const std::string h = Lower(host);
  for (absl::string_view raw : absl::StrSplit(no_proxy, ',', absl::SkipEmpty())) {
    std::string entry = Lower(std::string(absl::StripAsciiWhitespace(raw)));
    if (entry.empty()) continue;
    if (entry == "*") return true;
    if (size_t colon = entry.rfind(':'); colon != std::string::npos && entry.find(':') == colon)
      entry.resize(colon);
    if (entry.front() == '.') entry.erase(0, 1);
    if (h == entry || absl::EndsWith(h, "." + entry)) return true;
  }
  return false;
}

absl::Status Fail(const Socks5Proxy& proxy, const std::string& host, const std::string& port,
                  const std::string& reason,
                  absl::StatusCode code = absl::StatusCode::kUnavailable) {
  const bool v6 = host.find(':') != std::string::npos;
  return absl::Status(code, absl::StrCat("socks connect tcp ", proxy.Address(), "->", v6 ? "[" : "",
                                         host, v6 ? "]" : "", ":", port, ": ", reason));
}

const char* ReplyText(unsigned char code) {
  switch (code) {
    case 1:
      return "general SOCKS server failure";
    case 2:
      return "connection not allowed by ruleset";
    case 3:
      return "network unreachable";
    case 4:
      return "host unreachable";
    case 5:
      return "connection refused";
    case 6:
      return "TTL expired";
    case 7:
      return "command not supported";
    case 8:
      return "address type not supported";
    default:
      return "unknown error";
  }
}

}  // namespace

std::string Socks5Proxy::Address() const {
  return host.find(':') != std::string::npos ? absl::StrCat("[", host, "]:", port)
                                             : absl::StrCat(host, ":", port);
}

bool IsSocks5Url(std::string_view url) {
  const std::string l = Lower(url.substr(0, 10));
  return absl::StartsWith(l, "socks5://") || absl::StartsWith(l, "socks5h://");
}

absl::StatusOr<Socks5Proxy> ParseSocks5Proxy(std::string_view url, const std::string& username,
                                             const std::string& password) {
  auto invalid = [&](const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid proxy address '", RedactUrl(url), "': ", why));
  };
  if (!IsSocks5Url(url)) return invalid("scheme must be socks5 or socks5h");
  Socks5Proxy p;
  const size_t scheme_end = url.find("://");
  p.remote_dns = Lower(url.substr(0, scheme_end)) == "socks5h";
  std::string_view rest = url.substr(scheme_end + 3);
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") return invalid("unexpected path");
    rest = rest.substr(0, slash);
  }
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view info = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    const size_t colon = info.find(':');
    p.username = std::string(info.substr(0, colon));
    if (colon != std::string_view::npos) p.password = std::string(info.substr(colon + 1));
  }
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return invalid("unterminated IPv6 address");
    p.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') return invalid("malformed host");
    if (!rest.empty()) p.port = std::string(rest.substr(1));
  } else {
    const size_t colon = rest.rfind(':');
    p.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) p.port = std::string(rest.substr(colon + 1));
  }
  if (p.host.empty()) return invalid("missing host");
  char* end = nullptr;
  const long port = std::strtol(p.port.c_str(), &end, 10);
  if (p.port.empty() || *end != '\0' || port <= 0 || port > 65535) return invalid("invalid port");
  if (!username.empty()) {
    p.username = username;
    p.password = password;
  }
  if (p.username.size() > 255 || p.password.size() > 255)
    return invalid("username or password longer than 255 bytes");
  return p;
}

absl::StatusOr<std::optional<Socks5Proxy>> SocksProxyFor(std::string_view remote_url,
                                                         const ProxyOptions& proxy) {
  if (!proxy.address.empty()) {
    if (!IsSocks5Url(proxy.address)) return std::optional<Socks5Proxy>();
    auto p = ParseSocks5Proxy(proxy.address, proxy.username, proxy.password);
    if (!p.ok()) return p.status();
    return std::optional<Socks5Proxy>(*std::move(p));
  }
  const std::string l = Lower(remote_url.substr(0, 8));
  std::string env;
  if (absl::StartsWith(l, "https://"))
    env = Getenv("HTTPS_PROXY", "https_proxy");
  else if (absl::StartsWith(l, "http://"))
    env = Getenv("HTTP_PROXY", "http_proxy");
  else
    env = Getenv("ALL_PROXY", "all_proxy");
  if (env.empty() || !IsSocks5Url(env) || Excluded(HostOf(remote_url)))
    return std::optional<Socks5Proxy>();
  auto p = ParseSocks5Proxy(env, "", "");
  if (!p.ok()) return p.status();
  return std::optional<Socks5Proxy>(*std::move(p));
}

absl::Status Socks5Handshake(const SocksIo& io, const Socks5Proxy& proxy, const std::string& host,
                             const std::string& port) {
  const bool auth = !proxy.username.empty();
  auto io_error = [&](const char* what) {
    const git_error* e = git_error_last();
    return Fail(
        proxy, host, port,
        absl::StrCat(what, ": ", e != nullptr && e->message != nullptr ? e->message : "I/O error"));
  };
  // Greeting: version 5, methods: none (0) and, with credentials, user/pass (2).
  const unsigned char hello_auth[] = {5, 2, 0, 2};
  const unsigned char hello_none[] = {5, 1, 0};
  if (!(auth ? io.write_all(hello_auth, sizeof hello_auth)
             : io.write_all(hello_none, sizeof hello_none)))
    return io_error("greeting");
  unsigned char choice[2];
  if (!io.read_exact(choice, 2)) return io_error("greeting");
  if (choice[0] != 5)
    return Fail(proxy, host, port, "unexpected protocol version " + std::to_string(choice[0]));
  if (choice[1] == 0xff) {
    return Fail(proxy, host, port,
                auth ? "no acceptable authentication methods" : "proxy requires authentication",
                absl::StatusCode::kUnauthenticated);
  }
  if (choice[1] == 2) {
    if (!auth)
      return Fail(proxy, host, port, "proxy requires authentication",
                  absl::StatusCode::kUnauthenticated);
    std::string req;
    req.push_back(1);
    req.push_back(static_cast<char>(proxy.username.size()));
    req += proxy.username;
    req.push_back(static_cast<char>(proxy.password.size()));
    req += proxy.password;
    if (!io.write_all(req.data(), req.size())) return io_error("authentication");
    unsigned char status[2];
    if (!io.read_exact(status, 2)) return io_error("authentication");
    if (status[1] != 0) {
      return Fail(proxy, host, port, "username/password authentication failed",
                  absl::StatusCode::kUnauthenticated);
    }
  } else if (choice[1] != 0) {
    return Fail(proxy, host, port,
                "unsupported authentication method " + std::to_string(choice[1]));
  }

  // CONNECT request.
  std::string req = {5, 1, 0};
  unsigned char addr[16];
  if (inet_pton(AF_INET, host.c_str(), addr) == 1) {
    req.push_back(1);
    req.append(reinterpret_cast<char*>(addr), 4);
  } else if (inet_pton(AF_INET6, host.c_str(), addr) == 1) {
    req.push_back(4);
    req.append(reinterpret_cast<char*>(addr), 16);
  } else if (proxy.remote_dns) {
    if (host.size() > 255) return Fail(proxy, host, port, "host name too long");
    req.push_back(3);
    req.push_back(static_cast<char>(host.size()));
    req += host;
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* info = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &info); rc != 0) {
      return Fail(proxy, host, port, absl::StrCat("failed to resolve address: ", gai_strerror(rc)));
    }
    if (info->ai_family == AF_INET) {
      req.push_back(1);
      req.append(
          reinterpret_cast<const char*>(&reinterpret_cast<sockaddr_in*>(info->ai_addr)->sin_addr),
          4);
    } else {
      req.push_back(4);
      req.append(
          reinterpret_cast<const char*>(&reinterpret_cast<sockaddr_in6*>(info->ai_addr)->sin6_addr),
          16);
    }
    freeaddrinfo(info);
  }
  const auto port_num = static_cast<uint16_t>(std::strtoul(port.c_str(), nullptr, 10));
  req.push_back(static_cast<char>(port_num >> 8));
  req.push_back(static_cast<char>(port_num & 0xff));
  if (!io.write_all(req.data(), req.size())) return io_error("connect request");
  unsigned char reply[4];
  if (!io.read_exact(reply, 4)) return io_error("connect reply");
  if (reply[0] != 5)
    return Fail(proxy, host, port, "unexpected protocol version " + std::to_string(reply[0]));
  if (reply[1] != 0) return Fail(proxy, host, port, ReplyText(reply[1]));
  size_t skip = 0;
  if (reply[3] == 1)
    skip = 4;
  else if (reply[3] == 4)
    skip = 16;
  else if (reply[3] == 3) {
    unsigned char len = 0;
    if (!io.read_exact(&len, 1)) return io_error("connect reply");
    skip = len;
  } else {
    return Fail(proxy, host, port, "unknown address type in reply");
  }
  std::vector<unsigned char> bound(skip + 2);
  if (!io.read_exact(bound.data(), bound.size())) return io_error("connect reply");
  return absl::OkStatus();
}

}  // namespace fluxcpp::git
