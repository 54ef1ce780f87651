#pragma once
// One HTTP/1.1 client connection, plain or TLS, used for one request at a
// time and kept alive between them:
//
//   auto conn = ClientConnection::Connect(endpoint, deadline, cancelled);
//   auto head = (*conn)->Send(request, io);         // writes, reads the head
//   auto done = (*conn)->ReadBody(on_data, io);     // streams the body
//   if ((*conn)->reusable()) pool.push_back(std::move(*conn));
//
// or RoundTrip() for both with the body collected (bounded). Every failure
// carries a Failure kind (failure.h) telling a caller whether the server can
// have seen the request: kConnectFailed / kConnectTimeout / kTlsHandshake /
// kTlsVerify / kWriteFailed (not sent in full) / kClosedBeforeHead (no
// response byte: maybe acted on) / kReadFailed / kTimeout / kCancelled /
// kProtocol. Not thread-safe; a pool hands each connection to one caller.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/http/failure.h"
#include "libs/http/response_parser.h"
#include "libs/http/socket.h"
#include "libs/http/tls_client_context.h"

namespace fluxcpp::http {

class TlsStream;

struct Endpoint {
  std::string host;  // DNS name or IP literal (IPv6 without brackets)
  int port = 0;
  std::shared_ptr<const TlsClientContext> tls;  // nullptr = plain HTTP
};

// "host", "host:port" when the port is not the scheme's default, with
// brackets around IPv6 literals.
std::string HostHeader(const Endpoint& endpoint);

struct Request {
  std::string method;  // a token: GET, POST, ...
  std::string target;  // origin form, already encoded: "/api/v1/pods?limit=5"
  // Sent in order. Host is added when absent; Content-Length always comes
  // from `body` (sent for a non-empty body and for POST, PUT and PATCH).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct Response {
  ResponseHead head;
  std::string body;
};

// Bounds of one exchange.
struct IoOptions {
  absl::Time deadline = absl::InfiniteFuture();      // for the whole exchange
  absl::Duration write_timeout = absl::Seconds(30);  // to send the request
  absl::Duration read_timeout = absl::Seconds(60);   // longest silence while reading
  CancelCheck cancelled;                             // polled every kCancelSlice while waiting
};

class ClientConnection {
 public:
  // TCP connect, then the TLS handshake when endpoint.tls is set.
  static absl::StatusOr<std::unique_ptr<ClientConnection>> Connect(const Endpoint& endpoint, absl::Time deadline,
                                                                   const CancelCheck& cancelled);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Sends `request` and reads up to the end of the response head (interim
  // 1xx responses skipped). InvalidArgument (no Failure kind) for a request
  // that cannot be written: bad method, target or header characters.
  absl::StatusOr<ResponseHead> Send(const Request& request, const IoOptions& io);
  // After Send(): hands the body to `on_data` as it arrives. true once the
  // body is complete; false when `on_data` returned false (the connection
  // is then not reusable).
  absl::StatusOr<bool> ReadBody(const std::function<bool(std::string_view)>& on_data, const IoOptions& io);
  // Send() + ReadBody() collecting at most `max_body` bytes (kProtocol
  // beyond).
  absl::StatusOr<Response> RoundTrip(const Request& request, const IoOptions& io, size_t max_body);

  // True after a complete response the server will follow with another
  // (keep-alive, framed body) and no error.
  bool reusable() const { return reusable_; }
  // For a connection waiting in a pool: false when the server closed it
  // meanwhile (or sent anything unasked); cheap, does not block.
  bool IdleAndOpen() const;
  // Requests sent on this connection so far.
  int requests() const { return requests_; }

 private:
  ClientConnection(Socket socket, std::unique_ptr<TlsStream> tls);
  absl::StatusOr<size_t> ReadSome(char* buffer, size_t size, absl::Time deadline, const CancelCheck& cancelled);
  absl::Status WriteAll(std::string_view data, absl::Time deadline, const CancelCheck& cancelled);
  // The read deadline for the next read.
  static absl::Time ReadDeadline(const IoOptions& io);

  Socket socket_;
  std::unique_ptr<TlsStream> tls_;
  std::optional<ResponseParser> parser_;
  std::string host_header_;
  std::string early_body_;  // body bytes that arrived with the head
  bool close_requested_ = false;
  bool reusable_ = false;
  bool in_body_ = false;
  int requests_ = 0;
};

}  // namespace fluxcpp::http
