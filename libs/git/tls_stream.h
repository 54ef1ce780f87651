#pragma once
// HTTPS for libgit2 1.5 with client certificates: a custom GIT_STREAM_TLS
// stream (registered once per process, replacing libgit2's OpenSSL stream)
// over OpenSSL and the deadline socket stream (deadline_stream.h). It
// verifies the server against the system trust store and the host name (a
// failed verification is reported as GIT_ECERTIFICATE with the peer
// certificate, so Clone's certificate callback can still accept a CA from
// the Secret), and presents the calling thread's client certificate
// (ScopedClientCertificate) when one is set.

#include <string>

#include "absl/status/status.h"

namespace fluxcpp::git {

// Registers the stream with libgit2 (idempotent; after git_libgit2_init).
void RegisterTlsStream();

// Checks that `cert_pem`/`key_pem` parse and belong together.
// kInvalidArgument otherwise (the message never contains key material).
absl::Status ValidateClientCertificate(const std::string& cert_pem, const std::string& key_pem);

// Sets the client certificate presented by TLS connections made on the
// calling thread for its lifetime (empty = none). The strings must outlive
// the scope.
class ScopedClientCertificate {
 public:
  ScopedClientCertificate(const std::string& cert_pem, const std::string& key_pem);
  ~ScopedClientCertificate();
  ScopedClientCertificate(const ScopedClientCertificate&) = delete;
  ScopedClientCertificate& operator=(const ScopedClientCertificate&) = delete;

 private:
  const std::string* previous_cert_;
  const std::string* previous_key_;
};

}  // namespace fluxcpp::git
