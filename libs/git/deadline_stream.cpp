#include "libs/git/deadline_stream.h"

#include <fcntl.h>
#include <git2.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "libs/git/socks5.h"

namespace fluxcpp::git {
namespace {

using Clock = std::chrono::steady_clock;

thread_local Clock::time_point t_deadline;
thread_local bool t_deadline_set = false;
thread_local std::atomic<bool> t_expired{false};
thread_local const Socks5Proxy* t_socks = nullptr;

// Milliseconds left for poll (-1 = no deadline); 0 once passed.
int RemainingMs() {
  if (!t_deadline_set) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t_deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 1 << 30 ? 1 << 30 : static_cast<int>(left);
}

int Expired(const char* what) {
  t_expired = true;
  git_error_set(GIT_ERROR_NET, "%s: context deadline exceeded", what);
  return -1;
}

// Same layout as libgit2 1.5's git_socket_stream: its SSH transport reads the
// socket descriptor `s` of the stream it created.
struct DeadlineStream {
  git_stream parent;
  char* host;
  char* port;
  int s;
  // Ours, after libgit2's fields.
  bool watched;
};

// Shuts down sockets whose deadline passed: libssh2 does blocking I/O on the
// descriptor of the SSH transport's stream, so a peer that stops answering
// mid-session is only cut off this way (recv then returns 0 / poll wakes up).
class Watchdog {
 public:
  static Watchdog& Get() {
    static Watchdog* w = new Watchdog();  // never destroyed: detached thread
    return *w;
  }
  void Watch(int fd, Clock::time_point deadline, std::atomic<bool>* expired) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_[fd] = Entry{deadline, expired};
    cv_.notify_one();
  }
  // Must be called before the descriptor is closed (it could be reused).
  void Unwatch(int fd) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(fd);
  }

 private:
  struct Entry {
    Clock::time_point deadline;
    std::atomic<bool>* expired;
  };
  Watchdog() { std::thread([this] { Run(); }).detach(); }
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      Clock::time_point next = Clock::time_point::max();
      const auto now = Clock::now();
      for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.deadline <= now) {
          it->second.expired->store(true);
          ::shutdown(it->first, SHUT_RDWR);
          it = entries_.erase(it);
        } else {
          next = std::min(next, it->second.deadline);
          ++it;
        }
      }
      if (next == Clock::time_point::max()) cv_.wait(lock);
      else cv_.wait_until(lock, next);
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, Entry> entries_;
};

// Waits until `fd` is ready for `events`; -1 with the git error set on
// timeout or failure.
int WaitFor(int fd, short events, const char* what) {
  while (true) {
    const int ms = RemainingMs();
    if (ms == 0) return Expired(what);
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, ms);
    if (rc > 0) return 0;
    if (rc == 0) return Expired(what);
    if (errno != EINTR) {
      git_error_set(GIT_ERROR_OS, "%s: %s", what, std::strerror(errno));
      return -1;
    }
  }
}

// TCP connect to host:port, trying each address; -1 with the git error set.
int ConnectTcp(const char* host, const char* port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* info = nullptr;
  if (int rc = ::getaddrinfo(host, port, &hints, &info); rc != 0) {
    git_error_set(GIT_ERROR_NET, "failed to resolve address for %s: %s", host, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  std::string last_error = "no address";
  for (addrinfo* a = info; a != nullptr && fd < 0; a = a->ai_next) {
    int s = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (s < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    const int flags = ::fcntl(s, F_GETFL);
    ::fcntl(s, F_SETFL, flags | O_NONBLOCK);
    int rc = ::connect(s, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (WaitFor(s, POLLOUT, "connect") != 0) {
        ::close(s);
        freeaddrinfo(info);
        return -1;  // deadline: do not try further addresses
      }
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      last_error = std::strerror(errno);
      ::close(s);
      continue;
    }
    ::fcntl(s, F_SETFL, flags);  // blocking again: libssh2 drives it directly
    fd = s;
  }
  freeaddrinfo(info);
  if (fd < 0) git_error_set(GIT_ERROR_NET, "failed to connect to %s: %s", host, last_error.c_str());
  return fd;
}

bool ReadExact(int fd, void* data, size_t len);
bool WriteAll(int fd, const void* data, size_t len);

int StreamConnect(git_stream* stream) {
  auto* st = reinterpret_cast<DeadlineStream*>(stream);
  const Socks5Proxy* socks = t_socks;
  int fd = socks != nullptr ? ConnectTcp(socks->host.c_str(), socks->port.c_str()) : ConnectTcp(st->host, st->port);
  if (fd < 0) {
    if (socks != nullptr && !t_expired) {
      const git_error* e = git_error_last();
      const std::string cause = e != nullptr && e->message != nullptr ? e->message : "connect failed";
      git_error_set(GIT_ERROR_NET, "socks connect tcp %s->%s:%s: %s", socks->Address().c_str(), st->host, st->port,
                    cause.c_str());
    }
    return -1;
  }
  if (socks != nullptr) {
    SocksIo io{[fd](const void* d, size_t n) { return WriteAll(fd, d, n); },
               [fd](void* d, size_t n) { return ReadExact(fd, d, n); }};
    absl::Status hs = Socks5Handshake(io, *socks, st->host, st->port);
    if (!hs.ok()) {
      ::close(fd);
      if (!t_expired) git_error_set_str(GIT_ERROR_NET, std::string(hs.message()).c_str());
      return -1;
    }
  }
  st->s = fd;
  if (t_deadline_set) {
    Watchdog::Get().Watch(fd, t_deadline, &t_expired);
    st->watched = true;
  }
  return 0;
}

ssize_t ReadSome(int fd, void* data, size_t len) {
  while (true) {
    if (WaitFor(fd, POLLIN, "read") != 0) return -1;
    ssize_t n = ::recv(fd, data, len, MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
    git_error_set(GIT_ERROR_NET, "error receiving data from socket: %s", std::strerror(errno));
    return -1;
  }
}

bool WriteAll(int fd, const void* data, size_t len) {
  size_t done = 0;
  while (done < len) {
    if (WaitFor(fd, POLLOUT, "write") != 0) return false;
    ssize_t n = ::send(fd, static_cast<const char*>(data) + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      git_error_set(GIT_ERROR_NET, "error sending data to socket: %s", std::strerror(errno));
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool ReadExact(int fd, void* data, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ReadSome(fd, static_cast<char*>(data) + done, len - done);
    if (n < 0) return false;
    if (n == 0) {
      git_error_set_str(GIT_ERROR_NET, "connection closed by proxy");
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

ssize_t StreamRead(git_stream* stream, void* data, size_t len) {
  auto* st = reinterpret_cast<DeadlineStream*>(stream);
  return ReadSome(st->s, data, len);
}

ssize_t StreamWrite(git_stream* stream, const char* data, size_t len, int /*flags*/) {
  auto* st = reinterpret_cast<DeadlineStream*>(stream);
  return WriteAll(st->s, data, len) ? static_cast<ssize_t>(len) : -1;
}

int StreamClose(git_stream* stream) {
  auto* st = reinterpret_cast<DeadlineStream*>(stream);
  if (st->watched) Watchdog::Get().Unwatch(st->s);
  st->watched = false;
  if (st->s >= 0) ::close(st->s);
  st->s = -1;
  return 0;
}

void StreamFree(git_stream* stream) {
  auto* st = reinterpret_cast<DeadlineStream*>(stream);
  StreamClose(stream);
  std::free(st->host);
  std::free(st->port);
  std::free(st);
}

int StreamInit(git_stream** out, const char* host, const char* port) {
  auto* st = static_cast<DeadlineStream*>(std::calloc(1, sizeof(DeadlineStream)));
  if (st == nullptr) return -1;
  st->parent.version = GIT_STREAM_VERSION;
  st->parent.connect = StreamConnect;
  st->parent.read = StreamRead;
  st->parent.write = StreamWrite;
  st->parent.close = StreamClose;
  st->parent.free = StreamFree;
  st->host = strdup(host);
  st->port = strdup(port);
  st->s = -1;
  if (st->host == nullptr || st->port == nullptr) {
    StreamFree(&st->parent);
    return -1;
  }
  *out = &st->parent;
  return 0;
}

}  // namespace

int NewDeadlineSocketStream(git_stream** out, const char* host, const char* port) {
  return StreamInit(out, host, port);
}

void RegisterDeadlineStream() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_stream_registration registration{};
    registration.version = GIT_STREAM_VERSION;
    registration.init = StreamInit;
    registration.wrap = nullptr;
    git_stream_register(GIT_STREAM_STANDARD, &registration);
  });
}

ScopedNetworkDeadline::ScopedNetworkDeadline(Clock::time_point deadline)
    : previous_(t_deadline), previous_set_(t_deadline_set) {
  t_deadline = deadline;
  t_deadline_set = true;
  t_expired = false;
}

ScopedNetworkDeadline::~ScopedNetworkDeadline() {
  t_deadline = previous_;
  t_deadline_set = previous_set_;
}

bool NetworkDeadlineExpired() { return t_expired; }

ScopedSocksProxy::ScopedSocksProxy(const Socks5Proxy* proxy) : previous_(t_socks) { t_socks = proxy; }

ScopedSocksProxy::~ScopedSocksProxy() { t_socks = previous_; }

}  // namespace fluxcpp::git
