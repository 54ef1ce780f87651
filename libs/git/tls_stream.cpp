#include "libs/git/tls_stream.h"

#include <git2.h>
#include <git2/sys/stream.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <mutex>

#include "libs/git/deadline_stream.h"

namespace fluxcpp::git {
namespace {

thread_local const std::string* t_cert_pem = nullptr;
thread_local const std::string* t_key_pem = nullptr;

SSL_CTX* Context() {
  static SSL_CTX* ctx = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    if (c != nullptr) {
      SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
      SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION);
      SSL_CTX_set_mode(c, SSL_MODE_AUTO_RETRY);
      SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);  // checked after the handshake
      SSL_CTX_set_default_verify_paths(c);
    }
    return c;
  }();
  return ctx;
}

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

absl::Status LoadClientCertificate(const std::string& cert_pem, const std::string& key_pem,
                                   std::unique_ptr<X509, X509Free>* cert,
                                   std::unique_ptr<EVP_PKEY, PkeyFree>* key) {
  BIO* cbio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  cert->reset(PEM_read_bio_X509(cbio, nullptr, nullptr, nullptr));
  BIO_free(cbio);
  if (!*cert) {
    ERR_clear_error();
    return absl::InvalidArgumentError("'tls.crt' is not a PEM certificate");
  }
  BIO* kbio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  key->reset(PEM_read_bio_PrivateKey(kbio, nullptr, nullptr, nullptr));
  BIO_free(kbio);
  if (!*key) {
    ERR_clear_error();
    return absl::InvalidArgumentError("'tls.key' is not a PEM private key");
  }
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("'tls.key' does not match the certificate in 'tls.crt'");
  }
  return absl::OkStatus();
}

struct TlsStream {
  git_stream parent;
  git_stream* io = nullptr;  // the transport below
  bool owned = false;        // io created (and connected) by us
  std::string host;
  SSL* ssl = nullptr;
  bool connected = false;
  std::string cert_der;
  git_cert_x509 cert{};
};

TlsStream* Self(git_stream* s) { return reinterpret_cast<TlsStream*>(s); }

// BIO over the git_stream below (which enforces the deadline).
BIO_METHOD* GitStreamBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "git_stream");
    BIO_meth_set_write(m, [](BIO* b, const char* data, int len) -> int {
      auto* io = static_cast<git_stream*>(BIO_get_data(b));
      ssize_t n = io->write(io, data, static_cast<size_t>(len), 0);
      return n < 0 ? -1 : static_cast<int>(n);
    });
    BIO_meth_set_read(m, [](BIO* b, char* data, int len) -> int {
      auto* io = static_cast<git_stream*>(BIO_get_data(b));
      ssize_t n = io->read(io, data, static_cast<size_t>(len));
      return n < 0 ? -1 : static_cast<int>(n);
    });
    BIO_meth_set_ctrl(m, [](BIO*, int cmd, long, void*) -> long { return cmd == BIO_CTRL_FLUSH ? 1 : 0; });
    BIO_meth_set_create(m, [](BIO* b) -> int {
      BIO_set_init(b, 1);
      return 1;
    });
    return m;
  }();
  return method;
}

bool IsIpLiteral(const std::string& host) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(host.c_str());
  if (ip == nullptr) return false;
  ASN1_OCTET_STRING_free(ip);
  return true;
}

int TlsConnect(git_stream* stream) {
  TlsStream* st = Self(stream);
  if (st->owned && st->io->connect(st->io) < 0) return -1;
  SSL_CTX* ctx = Context();
  if (ctx == nullptr) {
    git_error_set(GIT_ERROR_SSL, "failed to create TLS context");
    return -1;
  }
  st->ssl = SSL_new(ctx);
  BIO* bio = BIO_new(GitStreamBioMethod());
  if (st->ssl == nullptr || bio == nullptr) {
    BIO_free(bio);
    git_error_set(GIT_ERROR_SSL, "failed to create TLS session");
    return -1;
  }
  BIO_set_data(bio, st->io);
  SSL_set_bio(st->ssl, bio, bio);
  X509_VERIFY_PARAM* param = SSL_get0_param(st->ssl);
  if (IsIpLiteral(st->host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, st->host.c_str());
  } else {
    SSL_set_tlsext_host_name(st->ssl, st->host.c_str());
    X509_VERIFY_PARAM_set1_host(param, st->host.c_str(), 0);
  }
  if (t_cert_pem != nullptr && !t_cert_pem->empty()) {
    std::unique_ptr<X509, X509Free> cert;
    std::unique_ptr<EVP_PKEY, PkeyFree> key;
    absl::Status s = LoadClientCertificate(*t_cert_pem, *t_key_pem, &cert, &key);
    if (!s.ok()) {
      git_error_set_str(GIT_ERROR_SSL, std::string(s.message()).c_str());
      return -1;
    }
    if (SSL_use_certificate(st->ssl, cert.get()) != 1 || SSL_use_PrivateKey(st->ssl, key.get()) != 1) {
      git_error_set(GIT_ERROR_SSL, "failed to use the client certificate: %s", OpenSslError().c_str());
      return -1;
    }
  }
  ERR_clear_error();
  git_error_clear();
  if (SSL_connect(st->ssl) != 1) {
    // The deadline stream's error (timeout) is more precise when it set one.
    const git_error* below = git_error_last();
    if (below == nullptr || below->klass != GIT_ERROR_NET) {
      std::string why = OpenSslError();
      git_error_set(GIT_ERROR_SSL, "TLS handshake with %s failed: %s", st->host.c_str(), why.c_str());
    }
    return -1;
  }
  st->connected = true;
  X509* peer = SSL_get1_peer_certificate(st->ssl);
  if (peer != nullptr) {
    int len = i2d_X509(peer, nullptr);
    if (len > 0) {
      st->cert_der.resize(static_cast<size_t>(len));
      auto* p = reinterpret_cast<unsigned char*>(st->cert_der.data());
      i2d_X509(peer, &p);
    }
    X509_free(peer);
  }
  const long verify = SSL_get_verify_result(st->ssl);
  if (peer == nullptr || verify != X509_V_OK) {
    git_error_set(GIT_ERROR_SSL, "the SSL certificate is invalid: %s",
                  peer == nullptr ? "no certificate" : X509_verify_cert_error_string(verify));
    return GIT_ECERTIFICATE;
  }
  return 0;
}

int TlsCertificate(git_cert** out, git_stream* stream) {
  TlsStream* st = Self(stream);
  if (st->cert_der.empty()) {
    git_error_set(GIT_ERROR_SSL, "the server did not provide a certificate");
    return -1;
  }
  st->cert.parent.cert_type = GIT_CERT_X509;
  st->cert.data = st->cert_der.data();
  st->cert.len = st->cert_der.size();
  *out = &st->cert.parent;
  return 0;
}

ssize_t TlsRead(git_stream* stream, void* data, size_t len) {
  TlsStream* st = Self(stream);
  git_error_clear();
  ERR_clear_error();
  int n = SSL_read(st->ssl, data, static_cast<int>(len > 1 << 30 ? 1 << 30 : len));
  if (n > 0) return n;
  const int err = SSL_get_error(st->ssl, n);
  if (err == SSL_ERROR_ZERO_RETURN) return 0;
  const git_error* below = git_error_last();
  if (below == nullptr || below->klass != GIT_ERROR_NET)
    git_error_set(GIT_ERROR_SSL, "TLS read failed: %s", OpenSslError().c_str());
  return -1;
}

ssize_t TlsWrite(git_stream* stream, const char* data, size_t len, int /*flags*/) {
  TlsStream* st = Self(stream);
  size_t done = 0;
  while (done < len) {
    const size_t chunk = len - done > (1u << 30) ? (1u << 30) : len - done;
    git_error_clear();
    ERR_clear_error();
    int n = SSL_write(st->ssl, data + done, static_cast<int>(chunk));
    if (n <= 0) {
      const git_error* below = git_error_last();
      if (below == nullptr || below->klass != GIT_ERROR_NET)
        git_error_set(GIT_ERROR_SSL, "TLS write failed: %s", OpenSslError().c_str());
      return -1;
    }
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(len);
}

int TlsClose(git_stream* stream) {
  TlsStream* st = Self(stream);
  if (st->ssl != nullptr && st->connected) {
    SSL_shutdown(st->ssl);  // best effort close_notify
    st->connected = false;
  }
  ERR_clear_error();
  return st->owned ? st->io->close(st->io) : 0;
}

void TlsFree(git_stream* stream) {
  TlsStream* st = Self(stream);
  if (st->ssl != nullptr) SSL_free(st->ssl);  // frees the BIO too
  if (st->owned && st->io != nullptr) st->io->free(st->io);
  delete st;
}

int NewTlsStream(git_stream** out, git_stream* io, bool owned, const char* host) {
  auto* st = new TlsStream();
  st->parent.version = GIT_STREAM_VERSION;
  st->parent.encrypted = 1;
  st->parent.connect = TlsConnect;
  st->parent.certificate = TlsCertificate;
  st->parent.read = TlsRead;
  st->parent.write = TlsWrite;
  st->parent.close = TlsClose;
  st->parent.free = TlsFree;
  st->io = io;
  st->owned = owned;
  st->host = host;
  *out = &st->parent;
  return 0;
}

int TlsInit(git_stream** out, const char* host, const char* port) {
  git_stream* io = nullptr;
  if (NewDeadlineSocketStream(&io, host, port) < 0) return -1;
  return NewTlsStream(out, io, /*owned=*/true, host);
}

int TlsWrap(git_stream** out, git_stream* in, const char* host) {
  return NewTlsStream(out, in, /*owned=*/false, host);
}

}  // namespace

void RegisterTlsStream() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_stream_registration registration{};
    registration.version = GIT_STREAM_VERSION;
    registration.init = TlsInit;
    registration.wrap = TlsWrap;
    git_stream_register(GIT_STREAM_TLS, &registration);
  });
}

absl::Status ValidateClientCertificate(const std::string& cert_pem, const std::string& key_pem) {
  std::unique_ptr<X509, X509Free> cert;
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  return LoadClientCertificate(cert_pem, key_pem, &cert, &key);
}

ScopedClientCertificate::ScopedClientCertificate(const std::string& cert_pem, const std::string& key_pem)
    : previous_cert_(t_cert_pem), previous_key_(t_key_pem) {
  t_cert_pem = &cert_pem;
  t_key_pem = &key_pem;
}

ScopedClientCertificate::~ScopedClientCertificate() {
  t_cert_pem = previous_cert_;
  t_key_pem = previous_key_;
}

}  // namespace fluxcpp::git
