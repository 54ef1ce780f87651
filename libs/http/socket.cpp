#include "libs/http/socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/http/failure.h"

namespace fluxcpp::http {
namespace {

std::string ErrnoText(int err) { return std::string(::strerror(err)); }

// The poll timeout for one slice: at most kCancelSlice, at least 0.
int SliceMillis(absl::Time deadline) {
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  absl::Duration slice = std::min(left, kCancelSlice);
  return static_cast<int>(absl::ToInt64Milliseconds(slice + absl::Microseconds(999)));
}

struct AddrInfoDeleter {
  void operator()(addrinfo* a) const { ::freeaddrinfo(a); }
};

// One non-blocking connect attempt to `addr`.
absl::StatusOr<Socket> ConnectOne(const sockaddr* addr, socklen_t len, absl::Time deadline,
                                  const CancelCheck& cancelled) {
  int fd = ::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeFailure(Failure::kConnectFailed, absl::StrCat("socket: ", ErrnoText(errno)));
  Socket sock(fd);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  int rc;
  do {
    rc = ::connect(fd, addr, len);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) return sock;
  if (errno != EINPROGRESS) return MakeFailure(Failure::kConnectFailed, ErrnoText(errno));
  absl::Status waited = sock.WaitWritable(deadline, cancelled);
  if (!waited.ok()) {
    if (FailureOf(waited) == Failure::kTimeout) return MakeFailure(Failure::kConnectTimeout, "connect timed out");
    return waited;
  }
  int err = 0;
  socklen_t err_len = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0) err = errno;
  if (err != 0) return MakeFailure(Failure::kConnectFailed, ErrnoText(err));
  return sock;
}

}  // namespace

bool IsIpLiteral(std::string_view host) {
  std::string h(host);
  in6_addr v6;
  in_addr v4;
  return ::inet_pton(AF_INET, h.c_str(), &v4) == 1 || ::inet_pton(AF_INET6, h.c_str(), &v6) == 1;
}

Socket::Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Socket::~Socket() { Close(); }

void Socket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::StatusOr<Socket> Socket::Connect(const std::string& host, int port, absl::Time deadline,
                                       const CancelCheck& cancelled) {
  if (port <= 0 || port > 65535) return MakeFailure(Failure::kConnectFailed, absl::StrCat("bad port ", port));
  // Numeric addresses: no resolver round trip.
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (::inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<uint16_t>(port));
    return ConnectOne(reinterpret_cast<sockaddr*>(&v4), sizeof(v4), deadline, cancelled);
  }
  if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<uint16_t>(port));
    return ConnectOne(reinterpret_cast<sockaddr*>(&v6), sizeof(v6), deadline, cancelled);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    return MakeFailure(Failure::kConnectFailed,
                       absl::StrCat("cannot resolve ", host, ": ", rc == EAI_SYSTEM ? ErrnoText(errno) : ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, AddrInfoDeleter> list(found);
  absl::Status last = MakeFailure(Failure::kConnectFailed, absl::StrCat("no address for ", host));
  for (addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    auto sock = ConnectOne(a->ai_addr, a->ai_addrlen, deadline, cancelled);
    if (sock.ok()) return sock;
    last = sock.status();
    Failure kind = FailureOf(last);
    if (kind == Failure::kConnectTimeout || kind == Failure::kCancelled) break;
  }
  return last;
}

absl::Status Socket::Wait(short events, absl::Time deadline, const CancelCheck& cancelled) const {
  if (fd_ < 0) return MakeFailure(Failure::kReadFailed, "socket closed");
  while (true) {
    if (cancelled && cancelled()) return MakeFailure(Failure::kCancelled, "cancelled");
    pollfd p{fd_, events, 0};
    int rc = ::poll(&p, 1, SliceMillis(deadline));
    if (rc < 0) {
      if (errno == EINTR) continue;
      return MakeFailure(events == POLLIN ? Failure::kReadFailed : Failure::kWriteFailed,
                         absl::StrCat("poll: ", ErrnoText(errno)));
    }
    if (rc > 0) return absl::OkStatus();  // errors and hang-ups surface in the next read/write
    if (absl::Now() >= deadline) return MakeFailure(Failure::kTimeout, "timed out");
  }
}

absl::Status Socket::WaitReadable(absl::Time deadline, const CancelCheck& cancelled) const {
  return Wait(POLLIN, deadline, cancelled);
}

absl::Status Socket::WaitWritable(absl::Time deadline, const CancelCheck& cancelled) const {
  return Wait(POLLOUT, deadline, cancelled);
}

absl::StatusOr<size_t> Socket::Read(char* buffer, size_t size, absl::Time deadline, const CancelCheck& cancelled) {
  while (true) {
    ssize_t n = ::recv(fd_, buffer, size, 0);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return MakeFailure(Failure::kReadFailed, ErrnoText(errno));
    absl::Status s = WaitReadable(deadline, cancelled);
    if (!s.ok()) return s;
  }
}

absl::Status Socket::WriteAll(std::string_view data, absl::Time deadline, const CancelCheck& cancelled) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return MakeFailure(Failure::kWriteFailed, ErrnoText(errno));
    absl::Status s = WaitWritable(deadline, cancelled);
    if (!s.ok()) {
      // A request half sent is a failed write whatever stopped it.
      return FailureOf(s) == Failure::kCancelled ? s : MakeFailure(Failure::kWriteFailed, std::string(s.message()));
    }
  }
  return absl::OkStatus();
}

bool Socket::IdleAndOpen() const {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, 0);
  } while (rc < 0 && errno == EINTR);
  return rc == 0;
}

}  // namespace fluxcpp::http
