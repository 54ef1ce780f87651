#include "libs/http/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace fluxcpp::http {

using Clock = std::chrono::steady_clock;

// Longest a lingering close drains input before closing.
constexpr std::chrono::milliseconds kMaxLinger{2000};

struct Server::Connection {
  // What the connection waits for; each phase has its own timeout, counted
  // from when the phase began.
  enum Phase { kIdle, kReading, kWriting, kLingering };

  int fd = -1;
  size_t listener = 0;
  std::string in;             // received bytes not yet parsed
  size_t unscanned_from = 0;  // `in` before this holds no complete head
  uint64_t discard = 0;       // request body bytes still to drop
  // A request for a POST route whose body (body_size bytes) is arriving.
  std::optional<RequestHead> pending;
  uint64_t body_size = 0;
  std::string out;            // response bytes not yet sent
  size_t out_offset = 0;
  std::shared_ptr<FileBody> file;  // a file body to send after `out`
  uint64_t file_offset = 0;
  bool close_after_write = false;
  bool peer_done = false;  // EOF read: no more requests will come
  bool dead = false;
  Phase phase = kIdle;
  Clock::time_point phase_start;
};

bool Server::HasPendingOutput(const Connection& c) {
  return c.out_offset < c.out.size() || (c.file != nullptr && c.file_offset < c.file->size());
}

FileBody::~FileBody() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// Largest piece handed to sendfile(2) at once, so that one big download
// does not hold the loop.
constexpr size_t kFileChunk = 1 << 20;

std::string HostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

// IMF-fixdate (RFC 9110 §5.6.7), independent of the locale.
std::string HttpDate() {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

}  // namespace

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

Server::Server(ServerOptions options) : options_(options) {}

Server::~Server() { Stop(); }

absl::StatusOr<int> Server::Listen(const std::string& host, int port) {
  if (started_) return absl::FailedPreconditionError("http::Server::Listen after Start");
  const std::string name = host.empty() ? "0.0.0.0" : host;
  const std::string where = HostPort(name, port);
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("cannot listen on ", where, ": invalid port"));
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(name.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot listen on ", where, ": ", gai_strerror(rc)));
  }
  std::string last_error = "no address";
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
      last_error = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", where, ": ", last_error));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  int bound_port = port;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
    if (bound.ss_family == AF_INET) {
      bound_port = ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    }
    if (bound.ss_family == AF_INET6) {
      bound_port = ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
    }
  }
  listeners_.push_back(Listener{fd, bound_port, {}});
  return static_cast<int>(listeners_.size() - 1);
}

int Server::port(int listener) const {
  if (listener < 0 || static_cast<size_t>(listener) >= listeners_.size()) return 0;
  return listeners_[listener].port;
}

void Server::Handle(int listener, const std::string& path, RouteHandler handler) {
  if (started_ || listener < 0 || static_cast<size_t>(listener) >= listeners_.size()) return;
  listeners_[listener].routes[path].get = std::move(handler);
}

void Server::HandlePrefix(int listener, const std::string& prefix, RouteHandler handler) {
  if (started_ || listener < 0 || static_cast<size_t>(listener) >= listeners_.size()) return;
  listeners_[listener].prefix_routes[prefix] = std::move(handler);
}

void Server::HandlePost(int listener, const std::string& path, PostHandler handler) {
  if (started_ || listener < 0 || static_cast<size_t>(listener) >= listeners_.size()) return;
  listeners_[listener].routes[path].post = std::move(handler);
}

absl::Status Server::Start() {
  if (started_) return absl::FailedPreconditionError("http::Server already started");
  if (listeners_.empty()) return absl::OkStatus();
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    return absl::InternalError(absl::StrCat("http::Server: eventfd: ", std::strerror(errno)));
  }
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
  return absl::OkStatus();
}

void Server::Stop() {
  if (thread_.joinable()) {
    stopping_.store(true);
    uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  for (auto& c : connections_) close(c->fd);
  connections_.clear();
  for (Listener& l : listeners_) {
    if (l.fd >= 0) close(l.fd);
    l.fd = -1;
  }
  if (wake_fd_ >= 0) close(wake_fd_);
  wake_fd_ = -1;
}

std::chrono::milliseconds Server::PhaseTimeout(int phase) const {
  switch (phase) {
    case Connection::kIdle:
      return options_.idle_timeout;
    case Connection::kReading:
      return options_.read_timeout;
    case Connection::kWriting:
      return options_.write_timeout;
    default:
      return std::min(options_.read_timeout, kMaxLinger);
  }
}

void Server::Loop() {
  std::vector<pollfd> fds;
  while (!stopping_.load()) {
    Clock::time_point now = Clock::now();
    fds.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    // At the limit, a new connection may still take the place of an idle or
    // slow one (see Accept).
    const bool accepting =
        now >= accept_paused_until_ &&
        (connections_.size() < options_.max_connections || EvictionCandidate() != nullptr);
    if (accepting) {
      for (const Listener& l : listeners_) fds.push_back({l.fd, POLLIN, 0});
    }
    const size_t first_connection = fds.size();
    Clock::time_point wake_at = Clock::time_point::max();
    if (!accepting && now < accept_paused_until_) wake_at = accept_paused_until_;
    for (const auto& c : connections_) {
      short events = (c->phase == Connection::kWriting) ? POLLOUT : POLLIN;
      fds.push_back({c->fd, events, 0});
      wake_at = std::min(wake_at, c->phase_start + PhaseTimeout(c->phase));
    }
    int timeout_ms = -1;
    if (wake_at != Clock::time_point::max()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(wake_at - now).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, 60'000));
    }
    int n = poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) break;
    if (stopping_.load()) break;
    now = Clock::now();
    if (n > 0) {
      for (size_t i = 0; i < connections_.size() && first_connection + i < fds.size(); ++i) {
        Connection& c = *connections_[i];
        short revents = fds[first_connection + i].revents;
        if (revents == 0) continue;
        if (revents & POLLNVAL) {
          c.dead = true;
        } else if (c.phase == Connection::kWriting) {
          if (revents & (POLLOUT | POLLERR | POLLHUP)) c.dead = !OnWritable(c);
        } else if (revents & (POLLIN | POLLERR | POLLHUP)) {
          c.dead = !OnReadable(c);
        }
      }
      if (accepting) {
        for (size_t i = 0; i < listeners_.size(); ++i) {
          if (fds[1 + i].revents & POLLIN) Accept(listeners_[i], i);
        }
      }
    }
    // Phases and timeouts.
    now = Clock::now();
    for (auto& cp : connections_) {
      Connection& c = *cp;
      if (c.dead) continue;
      Connection::Phase phase = c.phase;
      if (c.phase != Connection::kLingering) {
        phase = HasPendingOutput(c)                 ? Connection::kWriting
                : (!c.in.empty() || c.discard > 0 || c.pending) ? Connection::kReading
                                                   : Connection::kIdle;
      }
      if (phase != c.phase) {
        c.phase = phase;
        c.phase_start = now;
        continue;
      }
      if (now >= c.phase_start + PhaseTimeout(phase)) c.dead = true;
    }
    for (size_t i = connections_.size(); i-- > 0;) {
      if (connections_[i]->dead) CloseConnection(i);
    }
  }
  for (auto& c : connections_) close(c->fd);
  connections_.clear();
}

size_t Server::LiveConnections() const {
  size_t live = 0;
  for (const auto& c : connections_) live += c->dead ? 0 : 1;
  return live;
}

Server::Connection* Server::EvictionCandidate() const {
  // The connection idle the longest; else the request arriving the longest.
  Connection* best = nullptr;
  for (const auto& c : connections_) {
    if (c->dead || (c->phase != Connection::kIdle && c->phase != Connection::kReading)) continue;
    if (best == nullptr || (c->phase == Connection::kIdle && best->phase == Connection::kReading) ||
        (c->phase == best->phase && c->phase_start < best->phase_start)) {
      best = c.get();
    }
  }
  return best;
}

void Server::Accept(Listener& listener, size_t index) {
  while (true) {
    const bool full = LiveConnections() >= options_.max_connections;
    Connection* victim = full ? EvictionCandidate() : nullptr;
    if (full && victim == nullptr) return;  // every connection is busy answering
    int fd = accept4(listener.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        accept_paused_until_ = Clock::now() + std::chrono::milliseconds(100);
      }
      return;  // EAGAIN, or a connection that went away before accept
    }
    if (victim != nullptr) victim->dead = true;  // closed at the end of this loop iteration
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->listener = index;
    c->phase_start = Clock::now();
    connections_.push_back(std::move(c));
  }
}

bool Server::OnReadable(Connection& c) {
  char buf[8192];
  ssize_t got = recv(c.fd, buf, sizeof(buf), 0);
  if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  if (c.phase == Connection::kLingering) return got > 0;  // drain until EOF
  if (got == 0) {
    // The peer is done sending: answer the complete requests, then close.
    c.peer_done = true;
    ServeBuffered(c);
    return !c.dead && HasPendingOutput(c);
  }
  c.in.append(buf, static_cast<size_t>(got));
  ServeBuffered(c);
  return !c.dead;
}

bool Server::OnWritable(Connection& c) {
  if (!Flush(c)) return false;
  if (HasPendingOutput(c) || c.phase == Connection::kLingering) return true;
  ServeBuffered(c);
  if (c.dead) return false;
  return !(c.peer_done && !HasPendingOutput(c) && c.phase != Connection::kLingering);
}

bool Server::Flush(Connection& c) {
  // Every send that makes progress restarts the write clock: a large body
  // over a slow link is cut only when it stalls for write_timeout.
  while (c.out_offset < c.out.size()) {
    ssize_t sent =
        send(c.fd, c.out.data() + c.out_offset, c.out.size() - c.out_offset, MSG_NOSIGNAL);
    if (sent < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c.out_offset += static_cast<size_t>(sent);
    c.phase_start = Clock::now();
  }
  while (c.file != nullptr && c.file_offset < c.file->size()) {
    off_t offset = static_cast<off_t>(c.file_offset);
    size_t want = static_cast<size_t>(std::min<uint64_t>(c.file->size() - c.file_offset, kFileChunk));
    ssize_t sent = sendfile(c.fd, c.file->fd(), &offset, want);
    if (sent < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    if (sent == 0) return false;  // the file shrank: the announced length cannot be kept
    c.file_offset += static_cast<uint64_t>(sent);
    c.phase_start = Clock::now();
  }
  c.file.reset();
  c.file_offset = 0;
  c.out.clear();
  c.out_offset = 0;
  c.phase_start = Clock::now();
  if (c.close_after_write) {
    // Lingering close: stop sending, read (and drop) what the client still
    // sends so that closing does not reset the connection before the
    // client has read the response.
    shutdown(c.fd, SHUT_WR);
    c.in.clear();
    c.phase = Connection::kLingering;
    return true;
  }
  c.phase = Connection::kIdle;  // a response went out: the idle clock restarts
  return true;
}

void Server::ServeBuffered(Connection& c) {
  const RequestParseLimits limits{options_.max_head_bytes, options_.max_headers};
  while (!c.dead && c.out.empty() && !c.close_after_write && c.phase != Connection::kLingering) {
    if (c.discard > 0) {
      size_t drop = static_cast<size_t>(std::min<uint64_t>(c.discard, c.in.size()));
      c.in.erase(0, drop);
      c.discard -= drop;
      if (c.discard > 0) return;
    }
    if (c.pending) {
      if (c.in.size() < c.body_size) return;
      std::string body = c.in.substr(0, c.body_size);
      c.in.erase(0, c.body_size);
      RequestHead request = *std::move(c.pending);
      c.pending.reset();
      Dispatch(c, request, body);
      continue;
    }
    if (c.in.empty()) return;
    // Re-parse only when a line may have been completed.
    if (c.in.find('\n', c.unscanned_from) == std::string::npos &&
        c.in.size() <= options_.max_head_bytes) {
      c.unscanned_from = c.in.size();
      return;
    }
    RequestParseResult r = ParseRequestHead(c.in, limits);
    if (r.state == RequestParseResult::kIncomplete) {
      c.unscanned_from = c.in.size();
      return;
    }
    c.unscanned_from = 0;
    if (r.state == RequestParseResult::kError) {
      Respond(c, nullptr, r.error_status, "text/plain; charset=utf-8",
              absl::StrCat(r.error_status, " ", ReasonPhrase(r.error_status), ": ", r.error, "\n"),
              false);
      return;
    }
    c.in.erase(0, r.consumed);
    const RequestHead& request = r.head;
    if (request.chunked) {
      Respond(c, &request, 411, "text/plain; charset=utf-8",
              "411 Length Required: chunked request bodies are not accepted\n", false);
      return;
    }
    uint64_t body = request.content_length.value_or(0);
    if (body > options_.max_body_bytes) {
      Respond(c, &request, 413, "text/plain; charset=utf-8", "413 Content Too Large\n", false);
      return;
    }
    auto route = listeners_[c.listener].routes.find(request.path);
    if (request.method == "POST" && route != listeners_[c.listener].routes.end() && route->second.post) {
      c.pending = request;
      c.body_size = body;
      continue;
    }
    c.discard = body;
    Dispatch(c, request, "");
  }
}

void Server::Dispatch(Connection& c, const RequestHead& request, const std::string& body) {
  const Listener& listener = listeners_[c.listener];
  auto it = listener.routes.find(request.path);
  Route prefix_route;
  if (it == listener.routes.end()) {
    // The longest registered prefix of the path: among prefixes of one
    // string, a longer one sorts after a shorter one.
    for (auto p = listener.prefix_routes.rbegin(); p != listener.prefix_routes.rend(); ++p) {
      if (absl::StartsWith(request.path, p->first)) {
        prefix_route.get = p->second;
        break;
      }
    }
    if (prefix_route.get == nullptr) {
      Respond(c, &request, 404, "text/plain; charset=utf-8", "404 page not found\n",
              request.keep_alive);
      return;
    }
  }
  const Route& route = it != listener.routes.end() ? it->second : prefix_route;
  const bool get = (request.method == "GET" || request.method == "HEAD") && route.get;
  const bool post = request.method == "POST" && route.post;
  if (!get && !post) {
    std::string allow = route.get ? (route.post ? "GET, HEAD, POST" : "GET, HEAD") : "POST";
    Respond(c, &request, 405, "text/plain; charset=utf-8", "405 method not allowed\n",
            request.keep_alive, absl::StrCat("Allow: ", allow, "\r\n").c_str());
    return;
  }
  ServerResponse response;
  try {
    response = get ? route.get(request) : route.post(request, body);
  } catch (const std::exception& e) {
    response = ServerResponse{500, "text/plain; charset=utf-8", "500 internal server error\n"};
  }
  Respond(c, &request, response.status, response.content_type, response.body, request.keep_alive, "",
          std::move(response.file));
}

void Server::Respond(Connection& c, const RequestHead* request, int status,
                     const std::string& content_type, const std::string& body, bool keep_alive,
                     const char* extra_headers, std::shared_ptr<FileBody> file) {
  const bool head_only = request != nullptr && request->method == "HEAD";
  const uint64_t length = file != nullptr ? file->size() : body.size();
  c.out = absl::StrCat("HTTP/1.1 ", status, " ", ReasonPhrase(status), "\r\nDate: ", HttpDate(),
                       "\r\nContent-Type: ", content_type, "\r\nContent-Length: ", length,
                       "\r\nConnection: ", keep_alive ? "keep-alive" : "close", "\r\n",
                       extra_headers, "\r\n");
  if (!head_only) {
    if (file != nullptr) {
      c.file = std::move(file);
      c.file_offset = 0;
    } else {
      c.out += body;
    }
  }
  c.out_offset = 0;
  c.close_after_write = !keep_alive;
  // Usually the whole response fits the socket buffer: send it now.
  if (!Flush(c)) c.dead = true;
}

void Server::CloseConnection(size_t index) {
  close(connections_[index]->fd);
  connections_[index] = std::move(connections_.back());
  connections_.pop_back();
}

}  // namespace fluxcpp::http
