#pragma once
// TLS over a connected Socket: the client handshake (SNI for DNS names, the
// server certificate checked against the host name or IP address unless the
// context skips verification), then deadline-bounded, cancellable reads and
// writes like Socket's. Records go through a BIO that sends with
// MSG_NOSIGNAL, so a peer closing mid-write never raises SIGPIPE.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/http/socket.h"
#include "libs/http/tls_client_context.h"

typedef struct ssl_st SSL;

namespace fluxcpp::http {

class TlsStream {
 public:
  // Failures: kTlsVerify ("... (reason)"), kTlsHandshake, kTimeout,
  // kCancelled. `socket` must outlive the stream.
  static absl::StatusOr<std::unique_ptr<TlsStream>> Handshake(Socket& socket,
                                                              std::shared_ptr<const TlsClientContext> context,
                                                              const std::string& host, absl::Time deadline,
                                                              const CancelCheck& cancelled);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // As Socket::Read / Socket::WriteAll.
  absl::StatusOr<size_t> Read(char* buffer, size_t size, absl::Time deadline, const CancelCheck& cancelled);
  absl::Status WriteAll(std::string_view data, absl::Time deadline, const CancelCheck& cancelled);
  // Decrypted bytes waiting in the TLS layer.
  bool HasPending() const;

 private:
  TlsStream(Socket& socket, std::shared_ptr<const TlsClientContext> context, SSL* ssl)
      : socket_(socket), context_(std::move(context)), ssl_(ssl) {}
  Socket& socket_;
  std::shared_ptr<const TlsClientContext> context_;  // outlives ssl_
  SSL* ssl_;
  bool read_any_ = false;  // application data received
};

}  // namespace fluxcpp::http
