#pragma once
// Server: a small HTTP/1.1 server for probes and metrics scrapes. One thread
// runs a poll() loop over all listeners and connections (non-blocking
// sockets), so a slow or idle client never holds up another, and a process
// with several endpoints (metrics, health) pays for one thread.
//
//   http::Server server;
//   FLUX_ASSIGN_OR_RETURN(int metrics, server.Listen("127.0.0.1", 0));
//   server.Handle(metrics, "/metrics", [&](const http::RequestHead&) {
//     return http::ServerResponse{200, "text/plain; version=0.0.4; charset=utf-8",
//                                 registry.Expose()};
//   });
//   FLUX_RETURN_IF_ERROR(server.Start());
//   ... server.port(metrics) ...
//   server.Stop();
//
// What it serves: GET and HEAD (HEAD gets the headers only), and POST with
// its body, on exact paths registered per listener; an unknown path is 404,
// another method 405. A request body (Content-Length up to
// `max_body_bytes`) goes to a POST handler, or is read and discarded; a
// larger one is 413, a chunked one 411. Keep-alive and
// pipelining are supported (responses in request order). Limits: the
// request head (`max_head_bytes`, else 431), `max_connections` at a time
// (at the limit a new connection replaces the one idle the longest, else
// the one whose request has been arriving the longest, so idle or slow
// clients cannot lock others out; only when all are busy answering do new
// ones wait in the listen backlog), an idle keep-alive connection is
// closed after `idle_timeout`, a request that does not arrive within
// `read_timeout` of its first byte (or a response not taken within
// `write_timeout` of its last progress) closes its connection. Handlers run on the loop thread
// and must be quick; an exception from one answers 500.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/http/request_parser.h"

namespace fluxcpp::http {

// An open file sent as a response body: streamed with sendfile(2) as the
// socket takes it, never read into memory. Owns the descriptor.
class FileBody {
 public:
  FileBody(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FileBody();
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;
  int fd() const { return fd_; }
  uint64_t size() const { return size_; }

 private:
  int fd_;
  uint64_t size_;  // what Content-Length announces
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // When set, the body is this file instead of `body`.
  std::shared_ptr<FileBody> file;
};

using RouteHandler = std::function<ServerResponse(const RequestHead&)>;
// A POST request with its whole body (at most ServerOptions::max_body_bytes).
using PostHandler = std::function<ServerResponse(const RequestHead&, const std::string& body)>;

struct ServerOptions {
  size_t max_connections = 64;
  size_t max_head_bytes = 16 * 1024;
  size_t max_headers = 100;
  size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
};

// The reason phrase of a status code ("OK", "Not Found"), "" when unknown.
const char* ReasonPhrase(int status);

class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on host:port at once (port 0: a free port, see
  // port()). `host` is a numeric IPv4/IPv6 address or a name ("localhost");
  // "" means every IPv4 address. Returns the listener's id for Handle().
  // Call before Start(). Errors name the address and the reason.
  absl::StatusOr<int> Listen(const std::string& host, int port);
  // The bound port of a listener.
  int port(int listener) const;
  // Serves GET/HEAD `path` (exact match, query ignored) on `listener`.
  // Call before Start().
  void Handle(int listener, const std::string& path, RouteHandler handler);
  // Serves POST `path` on `listener`, the body read in full first (with
  // Content-Length; chunked bodies are refused with 411). Call before Start().
  void HandlePost(int listener, const std::string& path, PostHandler handler);
  // Serves GET/HEAD of every path under `prefix` (e.g. "/") that has no
  // exact route; the longest matching prefix wins. Call before Start().
  void HandlePrefix(int listener, const std::string& prefix, RouteHandler handler);

  // Starts the loop thread. Does nothing without listeners.
  absl::Status Start();
  // Closes every listener and connection and joins the thread; idempotent.
  // In-flight responses are dropped.
  void Stop();

 private:
  struct Route {
    RouteHandler get;  // GET and HEAD
    PostHandler post;
  };
  struct Listener {
    int fd = -1;
    int port = 0;
    std::map<std::string, Route> routes;
    std::map<std::string, RouteHandler> prefix_routes;
  };
  struct Connection;
  // Response bytes (head, body or file) not yet sent.
  static bool HasPendingOutput(const Connection& c);

  void Loop();
  // Accepts pending connections. At max_connections each new one evicts
  // EvictionCandidate(); with none, the rest wait in the listen backlog.
  void Accept(Listener& listener, size_t index);
  size_t LiveConnections() const;
  Connection* EvictionCandidate() const;
  // Reads what is there; false once the connection is to be dropped.
  bool OnReadable(Connection& c);
  bool OnWritable(Connection& c);
  // Sends what is pending; false on a send error. Once all is sent: the
  // connection turns idle, or lingers before closing after a "close" response.
  bool Flush(Connection& c);
  // Parses and answers buffered requests while no response is pending.
  void ServeBuffered(Connection& c);
  void Respond(Connection& c, const RequestHead* request, int status,
               const std::string& content_type, const std::string& body, bool keep_alive,
               const char* extra_headers = "", std::shared_ptr<FileBody> file = nullptr);
  void Dispatch(Connection& c, const RequestHead& request, const std::string& body);
  void CloseConnection(size_t index);
  // How long a connection may stay in a Connection::Phase.
  std::chrono::milliseconds PhaseTimeout(int phase) const;

  const ServerOptions options_;
  std::vector<Listener> listeners_;
  std::vector<std::unique_ptr<Connection>> connections_;
  int wake_fd_ = -1;
  bool started_ = false;
  std::atomic<bool> stopping_{false};
  // Accepting pauses briefly when the process is out of descriptors.
  std::chrono::steady_clock::time_point accept_paused_until_{};
  std::thread thread_;
};

}  // namespace fluxcpp::http
