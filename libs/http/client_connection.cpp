#include "libs/http/client_connection.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/http/tls_stream.h"

namespace fluxcpp::http {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

bool IsTchar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsTchar); }

// No CR, LF, NUL or other control characters but HTAB (header injection).
bool IsSafeText(std::string_view s, bool allow_space) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0x7f || (c < 0x20 && c != '\t') || (!allow_space && (c == ' ' || c == '\t'))) return false;
  }
  return true;
}

absl::StatusOr<std::string> Serialize(const Request& request, const std::string& host) {
  if (!IsToken(request.method)) return absl::InvalidArgumentError("HTTP request: invalid method");
  if (request.target.empty() || !IsSafeText(request.target, /*allow_space=*/false)) {
    return absl::InvalidArgumentError("HTTP request: invalid target (empty, or spaces or control characters)");
  }
  std::string out = absl::StrCat(request.method, " ", request.target, " HTTP/1.1\r\n");
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name)) return absl::InvalidArgumentError(absl::StrCat("HTTP request: invalid header name \"", name, "\""));
    if (!IsSafeText(value, /*allow_space=*/true)) {
      return absl::InvalidArgumentError(absl::StrCat("HTTP request: control character in header ", name));
    }
    if (absl::EqualsIgnoreCase(name, "Content-Length") || absl::EqualsIgnoreCase(name, "Transfer-Encoding")) continue;
    if (absl::EqualsIgnoreCase(name, "Host")) has_host = true;
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  if (!has_host) absl::StrAppend(&out, "Host: ", host, "\r\n");
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    absl::StrAppend(&out, "Content-Length: ", request.body.size(), "\r\n");
  }
  out += "\r\n";
  out += request.body;
  return out;
}

}  // namespace

std::string HostHeader(const Endpoint& endpoint) {
  std::string host = endpoint.host.find(':') != std::string::npos ? absl::StrCat("[", endpoint.host, "]") : endpoint.host;
  const int default_port = endpoint.tls != nullptr ? 443 : 80;
  if (endpoint.port != default_port) absl::StrAppend(&host, ":", endpoint.port);
  return host;
}

ClientConnection::ClientConnection(Socket socket, std::unique_ptr<TlsStream> tls)
    : socket_(std::move(socket)), tls_(std::move(tls)) {}

ClientConnection::~ClientConnection() {
  tls_.reset();  // before the socket it writes to
  socket_.Close();
}

absl::StatusOr<std::unique_ptr<ClientConnection>> ClientConnection::Connect(const Endpoint& endpoint,
                                                                            absl::Time deadline,
                                                                            const CancelCheck& cancelled) {
  auto socket = Socket::Connect(endpoint.host, endpoint.port, deadline, cancelled);
  if (!socket.ok()) return socket.status();
  std::unique_ptr<ClientConnection> conn(new ClientConnection(std::move(*socket), nullptr));
  if (endpoint.tls != nullptr) {
    auto tls = TlsStream::Handshake(conn->socket_, endpoint.tls, endpoint.host, deadline, cancelled);
    if (!tls.ok()) {
      if (FailureOf(tls.status()) == Failure::kTimeout) return MakeFailure(Failure::kConnectTimeout, "TLS handshake timed out");
      return tls.status();
    }
    conn->tls_ = std::move(*tls);
  }
  conn->host_header_ = HostHeader(endpoint);
  return conn;
}

absl::Time ClientConnection::ReadDeadline(const IoOptions& io) {
  return std::min(io.deadline, absl::Now() + io.read_timeout);
}

absl::StatusOr<size_t> ClientConnection::ReadSome(char* buffer, size_t size, absl::Time deadline,
                                                   const CancelCheck& cancelled) {
  if (tls_ != nullptr) return tls_->Read(buffer, size, deadline, cancelled);
  return socket_.Read(buffer, size, deadline, cancelled);
}

absl::Status ClientConnection::WriteAll(std::string_view data, absl::Time deadline, const CancelCheck& cancelled) {
  if (tls_ != nullptr) return tls_->WriteAll(data, deadline, cancelled);
  return socket_.WriteAll(data, deadline, cancelled);
}

bool ClientConnection::IdleAndOpen() const {
  if (tls_ != nullptr && tls_->HasPending()) return false;
  return socket_.IdleAndOpen();
}

absl::StatusOr<ResponseHead> ClientConnection::Send(const Request& request, const IoOptions& io) {
  // Only a fresh connection or one whose last response ended cleanly.
  const bool clean = requests_ == 0 || reusable_;
  reusable_ = false;
  in_body_ = false;
  early_body_.clear();
  parser_.reset();
  if (!socket_.is_open()) return MakeFailure(Failure::kWriteFailed, "connection closed");
  if (!clean) {
    socket_.Close();
    return MakeFailure(Failure::kWriteFailed, "connection not reusable: the previous response was not read in full");
  }
  auto wire = Serialize(request, host_header_);
  if (!wire.ok()) return wire.status();
  close_requested_ = false;
  for (const auto& [name, value] : request.headers) {
    if (absl::EqualsIgnoreCase(name, "Connection") && absl::StrContains(absl::AsciiStrToLower(value), "close")) {
      close_requested_ = true;
    }
  }
  ++requests_;
  absl::Status written = WriteAll(*wire, std::min(io.deadline, absl::Now() + io.write_timeout), io.cancelled);
  if (!written.ok()) {
    socket_.Close();
    return written;
  }
  parser_.emplace(request.method == "HEAD");
  char buffer[kReadChunk];
  bool any = false;
  while (!parser_->head_complete()) {
    auto n = ReadSome(buffer, sizeof(buffer), ReadDeadline(io), io.cancelled);
    if (!n.ok()) {
      socket_.Close();
      Failure kind = FailureOf(n.status());
      if (!any && kind == Failure::kReadFailed) return MakeFailure(Failure::kClosedBeforeHead, std::string(n.status().message()));
      return n.status();
    }
    if (*n == 0) {
      socket_.Close();
      return parser_->FeedEof();  // kClosedBeforeHead or kReadFailed
    }
    any = true;
    absl::Status fed = parser_->Feed(std::string_view(buffer, *n), [this](std::string_view body) {
      early_body_.append(body.data(), body.size());
      return true;
    });
    if (!fed.ok()) {
      socket_.Close();
      return fed;
    }
  }
  in_body_ = true;
  if (parser_->complete()) reusable_ = parser_->keep_alive() && !close_requested_;
  return parser_->head();
}

absl::StatusOr<bool> ClientConnection::ReadBody(const std::function<bool(std::string_view)>& on_data,
                                                const IoOptions& io) {
  if (!in_body_ || !parser_.has_value()) return absl::FailedPreconditionError("ReadBody() without Send()");
  in_body_ = false;
  auto fail = [&](absl::Status s) {
    socket_.Close();
    reusable_ = false;
    return s;
  };
  if (!early_body_.empty()) {
    std::string early = std::move(early_body_);
    early_body_.clear();
    if (!on_data(early)) {
      socket_.Close();  // the rest of the body is not read
      reusable_ = false;
      return false;
    }
  }
  char buffer[kReadChunk];
  while (!parser_->complete()) {
    auto n = ReadSome(buffer, sizeof(buffer), ReadDeadline(io), io.cancelled);
    if (!n.ok()) return fail(n.status());
    if (*n == 0) {
      absl::Status eof = parser_->FeedEof();
      socket_.Close();
      if (!eof.ok()) return fail(eof);
      break;
    }
    absl::Status fed = parser_->Feed(std::string_view(buffer, *n), on_data);
    if (!fed.ok()) return fail(fed);
    if (parser_->aborted()) {
      socket_.Close();  // the rest of the body is not read
      reusable_ = false;
      return false;
    }
  }
  reusable_ = socket_.is_open() && parser_->keep_alive() && !close_requested_;
  if (!reusable_) socket_.Close();
  return true;
}

absl::StatusOr<Response> ClientConnection::RoundTrip(const Request& request, const IoOptions& io, size_t max_body) {
  auto head = Send(request, io);
  if (!head.ok()) return head.status();
  Response response;
  response.head = std::move(*head);
  bool too_large = false;
  auto done = ReadBody(
      [&](std::string_view data) {
        if (response.body.size() + data.size() > max_body) {
          too_large = true;
          return false;
        }
        response.body.append(data.data(), data.size());
        return true;
      },
      io);
  if (!done.ok()) return done.status();
  if (too_large) return MakeFailure(Failure::kProtocol, absl::StrCat("response body larger than ", max_body, " bytes"));
  return response;
}

}  // namespace fluxcpp::http
