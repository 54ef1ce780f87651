#pragma once
// Network deadlines for libgit2 1.5, which has no socket timeouts: a custom
// GIT_STREAM_STANDARD stream (registered once per process) connects with
// non-blocking connect + poll and waits for every read/write with poll, all
// bounded by the calling thread's deadline (ScopedNetworkDeadline). libgit2
// builds git://, http:// and ssh:// connections, and the socket under its
// https (OpenSSL) stream, from this stream, so a blackholed host or a server
// that accepts and never answers fails at the deadline. libssh2 does its own
// blocking I/O on the SSH transport's descriptor, so every connected socket
// is also shut down by a watchdog thread once its deadline passes (the SSH
// session then fails, and NetworkDeadlineExpired() reports the deadline).
// With a ScopedSocksProxy, connections tunnel through that SOCKS5 proxy.

#include <git2.h>
#include <git2/sys/stream.h>

#include <chrono>

namespace fluxcpp::git {

struct Socks5Proxy;

// Registers the stream with libgit2 (idempotent; after git_libgit2_init).
void RegisterDeadlineStream();

// Creates one such (unconnected) socket stream, for streams layered on top
// (tls_stream.h). libgit2's git_stream_init signature.
int NewDeadlineSocketStream(git_stream** out, const char* host, const char* port);

// Sets the calling thread's network deadline for its lifetime (restoring the
// previous one); without one, I/O waits indefinitely.
class ScopedNetworkDeadline {
 public:
  explicit ScopedNetworkDeadline(std::chrono::steady_clock::time_point deadline);
  ~ScopedNetworkDeadline();
  ScopedNetworkDeadline(const ScopedNetworkDeadline&) = delete;
  ScopedNetworkDeadline& operator=(const ScopedNetworkDeadline&) = delete;

 private:
  std::chrono::steady_clock::time_point previous_;
  bool previous_set_;
};

// Routes the calling thread's stream connections through `proxy` (may be
// null: direct) for its lifetime; `proxy` must outlive it.
class ScopedSocksProxy {
 public:
  explicit ScopedSocksProxy(const Socks5Proxy* proxy);
  ~ScopedSocksProxy();
  ScopedSocksProxy(const ScopedSocksProxy&) = delete;
  ScopedSocksProxy& operator=(const ScopedSocksProxy&) = delete;

 private:
  const Socks5Proxy* previous_;
};

// True when a stream operation on this thread failed because the deadline
// passed (since the current ScopedNetworkDeadline was created).
bool NetworkDeadlineExpired();

}  // namespace fluxcpp::git
