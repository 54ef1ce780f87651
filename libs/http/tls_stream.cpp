#include "libs/http/tls_stream.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <string.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "libs/http/failure.h"

namespace fluxcpp::http {
namespace {

int FdOf(BIO* bio) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio))); }

int BioWrite(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  ssize_t n;
  do {
    n = ::send(FdOf(bio), data, static_cast<size_t>(size), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

int BioRead(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  ssize_t n;
  do {
    n = ::recv(FdOf(bio), data, static_cast<size_t>(size), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(bio);
  return static_cast<int>(n);
}

long BioCtrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int BioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// The socket stays owned by Socket; the BIO never closes it.
const BIO_METHOD* SocketBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "fluxcpp socket");
    BIO_meth_set_write(m, BioWrite);
    BIO_meth_set_read(m, BioRead);
    BIO_meth_set_ctrl(m, BioCtrl);
    BIO_meth_set_create(m, BioCreate);
    return m;
  }();
  return method;
}

std::string OpenSslError(const char* fallback) {
  unsigned long e = ERR_peek_last_error();
  std::string text = fallback;
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    text = buf;
  }
  ERR_clear_error();
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsStream>> TlsStream::Handshake(Socket& socket,
                                                                std::shared_ptr<const TlsClientContext> context,
                                                                const std::string& host, absl::Time deadline,
                                                                const CancelCheck& cancelled) {
  SSL* ssl = SSL_new(context->ssl_ctx());
  if (ssl == nullptr) return MakeFailure(Failure::kTlsHandshake, OpenSslError("SSL_new failed"));
  std::unique_ptr<TlsStream> stream(new TlsStream(socket, std::move(context), ssl));
  BIO* bio = BIO_new(SocketBioMethod());
  if (bio == nullptr) return MakeFailure(Failure::kTlsHandshake, OpenSslError("BIO_new failed"));
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(socket.fd())));
  SSL_set_bio(ssl, bio, bio);
  const bool ip = IsIpLiteral(host);
  if (!ip) SSL_set_tlsext_host_name(ssl, host.c_str());  // SNI is for names only
  if (stream->context_->verify()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    if (ok != 1) return MakeFailure(Failure::kTlsHandshake, OpenSslError("cannot set the expected host name"));
  }
  SSL_set_connect_state(ssl);
  while (true) {
    ERR_clear_error();
    int rc = SSL_do_handshake(ssl);
    if (rc == 1) return stream;
    int err = SSL_get_error(ssl, rc);
    absl::Status waited;
    if (err == SSL_ERROR_WANT_READ) {
      waited = socket.WaitReadable(deadline, cancelled);
    } else if (err == SSL_ERROR_WANT_WRITE) {
      waited = socket.WaitWritable(deadline, cancelled);
    } else {
      long verify = SSL_get_verify_result(ssl);
      if (stream->context_->verify() && verify != X509_V_OK) {
        ERR_clear_error();
        return MakeFailure(Failure::kTlsVerify,
                           absl::StrCat("server certificate verification failed (",
                                        X509_verify_cert_error_string(verify), ")"));
      }
      const char* fallback = err == SSL_ERROR_SYSCALL ? "connection closed during the handshake" : "handshake failed";
      return MakeFailure(Failure::kTlsHandshake, OpenSslError(fallback));
    }
    if (!waited.ok()) return waited;
  }
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

bool TlsStream::HasPending() const { return SSL_pending(ssl_) > 0; }

absl::StatusOr<size_t> TlsStream::Read(char* buffer, size_t size, absl::Time deadline, const CancelCheck& cancelled) {
  while (true) {
    ERR_clear_error();
    errno = 0;
    int n = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(size, 1 << 30)));
    if (n > 0) {
      read_any_ = true;
      return static_cast<size_t>(n);
    }
    int err = SSL_get_error(ssl_, n);
    absl::Status waited;
    if (err == SSL_ERROR_ZERO_RETURN) return 0;
    if (err == SSL_ERROR_WANT_READ) {
      waited = socket_.WaitReadable(deadline, cancelled);
    } else if (err == SSL_ERROR_WANT_WRITE) {
      waited = socket_.WaitWritable(deadline, cancelled);
    } else if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0) {
      return 0;  // EOF without close_notify
    } else if (err == SSL_ERROR_SSL && !read_any_) {
      // With TLS 1.3 the server judges the client (e.g. its certificate)
      // after the client's handshake is done: its alert arrives here.
      return MakeFailure(Failure::kTlsHandshake, OpenSslError("handshake failed"));
    } else {
      const int saved = errno;
      return MakeFailure(Failure::kReadFailed,
                         absl::StrCat("TLS: ", OpenSslError(err == SSL_ERROR_SYSCALL && saved != 0 ? ::strerror(saved)
                                                                                                 : "read failed")));
    }
    if (!waited.ok()) return waited;
  }
}

absl::Status TlsStream::WriteAll(std::string_view data, absl::Time deadline, const CancelCheck& cancelled) {
  while (!data.empty()) {
    ERR_clear_error();
    errno = 0;
    int n = SSL_write(ssl_, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 30)));
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    absl::Status waited;
    if (err == SSL_ERROR_WANT_WRITE) {
      waited = socket_.WaitWritable(deadline, cancelled);
    } else if (err == SSL_ERROR_WANT_READ) {
      waited = socket_.WaitReadable(deadline, cancelled);
    } else if (err == SSL_ERROR_SSL && !read_any_) {
      // A TLS 1.3 server's verdict on our handshake (see Read()).
      return MakeFailure(Failure::kTlsHandshake, OpenSslError("handshake failed"));
    } else {
      const int saved = errno;
      return MakeFailure(Failure::kWriteFailed,
                         absl::StrCat("TLS: ", OpenSslError(err == SSL_ERROR_SYSCALL && saved != 0 ? ::strerror(saved)
                                                                                                  : "write failed")));
    }
    if (!waited.ok()) {
      return FailureOf(waited) == Failure::kCancelled ? waited : MakeFailure(Failure::kWriteFailed, std::string(waited.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::http
