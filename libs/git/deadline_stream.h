#pragma once
// Network deadlines for libgit2 1.5, which has no socket timeouts: a custom
// GIT_STREAM_STANDARD stream (registered once per process) connects with
// non-blocking connect + poll and waits for every read/write with poll, all
// bounded by the calling thread's deadline (ScopedNetworkDeadline). libgit2
// builds git://, http:// and ssh:// connections, and the socket under its
// https (OpenSSL) stream, from this stream, so a blackholed host or a server
// that accepts and never answers fails at the deadline. (SSH: libssh2 does
// its own I/O after the connect, so only the connect is bounded there.)

#include <git2.h>
#include <git2/sys/stream.h>

#include <chrono>

namespace fluxcpp::git {

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

// True when a stream operation on this thread failed because the deadline
// passed (since the current ScopedNetworkDeadline was created).
bool NetworkDeadlineExpired();

}  // namespace fluxcpp::git
