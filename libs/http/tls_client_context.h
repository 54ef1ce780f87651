#pragma once
// The TLS settings a client uses for every connection to one server, built
// once from PEM text:
//   - trust: exactly the given CA bundle (its own X509 store); the system
//     default paths only when no bundle is given; nothing with
//     insecure_skip_verify;
//   - an optional client certificate (plus chain) and its private key,
//     checked to match; key material never appears in a message;
//   - TLS 1.2 or newer.
// Host name / IP checks and SNI are per connection (tls_stream.h). A context
// is immutable once created and shared by the connections made from it; a
// new client certificate means a new context.

#include <memory>
#include <string>

#include "absl/status/statusor.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace fluxcpp::http {

struct TlsClientOptions {
  std::string ca_pem;           // "" = the system's trusted roots
  std::string client_cert_pem;  // with client_key_pem, or both empty
  std::string client_key_pem;
  bool insecure_skip_verify = false;
};

class TlsClientContext {
 public:
  // InvalidArgument naming the bad part ("certificate authority", "client
  // certificate", "client key") when the PEM text does not parse or match.
  static absl::StatusOr<std::shared_ptr<const TlsClientContext>> Create(const TlsClientOptions& options);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  SSL_CTX* ssl_ctx() const { return ctx_; }
  bool verify() const { return verify_; }

 private:
  TlsClientContext(SSL_CTX* ctx, bool verify) : ctx_(ctx), verify_(verify) {}
  SSL_CTX* ctx_;
  bool verify_;
};

}  // namespace fluxcpp::http
