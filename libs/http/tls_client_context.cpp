#include "libs/http/tls_client_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace fluxcpp::http {
namespace {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct CtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

absl::StatusOr<std::vector<X509Ptr>> ParseCertificates(const std::string& pem, const char* what) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(cert);
  ERR_clear_error();  // the loop ends on a "no start line" error
  if (certs.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": no PEM certificate found"));
  return certs;
}

}  // namespace

TlsClientContext::~TlsClientContext() { SSL_CTX_free(ctx_); }

absl::StatusOr<std::shared_ptr<const TlsClientContext>> TlsClientContext::Create(const TlsClientOptions& options) {
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_client_method()));
  if (ctx == nullptr) return absl::InternalError("TLS: cannot create a context");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A server may end a read-to-close body without close_notify; framed
  // bodies are checked for truncation by the response parser.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);

  if (!options.ca_pem.empty()) {
    // Parsed even when verification is off, so bad configuration shows.
    auto certs = ParseCertificates(options.ca_pem, "certificate authority");
    if (!certs.ok()) return certs.status();
    X509_STORE* store = X509_STORE_new();
    for (const auto& cert : *certs) X509_STORE_add_cert(store, cert.get());
    SSL_CTX_set_cert_store(ctx.get(), store);  // takes ownership; no system roots
  } else if (!options.insecure_skip_verify) {
    SSL_CTX_set_default_verify_paths(ctx.get());
    ERR_clear_error();
  }
  const bool verify = !options.insecure_skip_verify;
  SSL_CTX_set_verify(ctx.get(), verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);

  if (!options.client_cert_pem.empty() || !options.client_key_pem.empty()) {
    if (options.client_cert_pem.empty() || options.client_key_pem.empty()) {
      return absl::InvalidArgumentError("a client certificate needs both certificate and key");
    }
    auto certs = ParseCertificates(options.client_cert_pem, "client certificate");
    if (!certs.ok()) return certs.status();
    std::unique_ptr<BIO, BioDeleter> bio(
        BIO_new_mem_buf(options.client_key_pem.data(), static_cast<int>(options.client_key_pem.size())));
    std::unique_ptr<EVP_PKEY, PkeyDeleter> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    if (key == nullptr) return absl::InvalidArgumentError("client key: no PEM private key found");
    if (X509_check_private_key(certs->front().get(), key.get()) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError("client key does not match the client certificate");
    }
    if (SSL_CTX_use_certificate(ctx.get(), certs->front().get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1) {
      ERR_clear_error();
      return absl::InvalidArgumentError("client certificate: rejected by the TLS library");
    }
    for (size_t i = 1; i < certs->size(); ++i) {
      // The chain takes ownership on success.
      if (SSL_CTX_add_extra_chain_cert(ctx.get(), (*certs)[i].get()) == 1) (*certs)[i].release();
    }
    ERR_clear_error();
  }
  return std::shared_ptr<const TlsClientContext>(new TlsClientContext(ctx.release(), verify));
}

}  // namespace fluxcpp::http
