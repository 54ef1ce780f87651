#pragma once
// A connected TCP socket (IPv4 or IPv6), non-blocking underneath, whose
// every operation is bounded by an absl::Time deadline and a cancel check.
// Waits poll in slices of at most kCancelSlice, so a cancel check that turns
// true (e.g. a StopToken set from another thread) ends a blocked call within
// that slice: no helper thread is needed to interrupt reads.
//
// Errors carry a Failure kind (failure.h). Sockets are close-on-exec, have
// TCP_NODELAY set, and never raise SIGPIPE (sends use MSG_NOSIGNAL).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fluxcpp::http {

// True when the caller gives up; may be empty (never cancelled). Called from
// the thread doing the I/O, about every kCancelSlice while it waits.
using CancelCheck = std::function<bool()>;
inline constexpr absl::Duration kCancelSlice = absl::Milliseconds(20);

// True for a numeric IPv4 or IPv6 address ("10.0.0.1", "::1"; no brackets).
bool IsIpLiteral(std::string_view host);

class Socket {
 public:
  // Resolves `host` (numeric addresses skip the resolver) and connects to
  // the first address that accepts before `deadline`. Name resolution
  // itself is not bounded by the deadline (getaddrinfo cannot be).
  static absl::StatusOr<Socket> Connect(const std::string& host, int port, absl::Time deadline,
                                        const CancelCheck& cancelled);
  // Adopts a connected descriptor (tests, socketpair()).
  explicit Socket(int fd) : fd_(fd) {}
  Socket() = default;
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  void Close();

  // Waits until the socket is readable (or has hung up); kTimeout /
  // kCancelled otherwise.
  absl::Status WaitReadable(absl::Time deadline, const CancelCheck& cancelled) const;
  absl::Status WaitWritable(absl::Time deadline, const CancelCheck& cancelled) const;

  // Reads at most `size` bytes once some arrive; 0 = the peer closed.
  // Failures are kReadFailed.
  absl::StatusOr<size_t> Read(char* buffer, size_t size, absl::Time deadline, const CancelCheck& cancelled);
  // Sends all of `data`; failures are kWriteFailed.
  absl::Status WriteAll(std::string_view data, absl::Time deadline, const CancelCheck& cancelled);

  // True while an idle connection is usable: nothing to read and no hang-up
  // (a server that closed it, or sent stray bytes, makes it unusable).
  bool IdleAndOpen() const;

 private:
  absl::Status Wait(short events, absl::Time deadline, const CancelCheck& cancelled) const;
  int fd_ = -1;
};

}  // namespace fluxcpp::http
