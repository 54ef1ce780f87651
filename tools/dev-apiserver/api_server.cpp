#include "tools/dev-apiserver/api_server.h"

#include <httplib.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/logger.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/http_util.h"

namespace fluxcpp::devapiserver {
namespace {

// cpp-httplib listens with a backlog of 5, so bursts of connections (a
// controller starting its informers, a test opening hundreds of watches) see
// SYNs dropped and 1s retransmits. Re-listening on the bound socket raises it.
template <class Base>
class Transport : public Base {
 public:
  using Base::Base;
};

struct BacklogAccess : httplib::Server {
  static bool Raise(httplib::Server& server, int backlog) {
    socket_t fd = server.*(&BacklogAccess::svr_sock_);
    return fd != INVALID_SOCKET && ::listen(fd, backlog) == 0;
  }
};

// Runs every accepted connection on its own thread, so long-lived watch
// streams never wait for a pool slot. shutdown() waits for them to finish.
class ThreadPerConnection : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++active_;
    }
    std::thread([this, fn = std::move(fn)]() {
      fn();
      std::lock_guard<std::mutex> lock(mu_);
      if (--active_ == 0) cv_.notify_all();
    }).detach();
  }

  void shutdown() override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return active_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int active_ = 0;
};

// Configures the TLS context: server certificate and key, and (optionally)
// the CA whose client certificates are requested and verified.
bool SetupTls(SSL_CTX& ctx, const ApiServerOptions& o) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  auto read_bio = [](const std::string& pem) { return BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())); };
  BIO* cert_bio = read_bio(o.tls_cert_pem);
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO* key_bio = read_bio(o.tls_key_pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  bool ok = cert != nullptr && key != nullptr && SSL_CTX_use_certificate(&ctx, cert) == 1 &&
            SSL_CTX_use_PrivateKey(&ctx, key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) return false;
  if (!o.client_ca_pem.empty()) {
    BIO* ca_bio = read_bio(o.client_ca_pem);
    X509_STORE* store = SSL_CTX_get_cert_store(&ctx);
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    while (X509* ca = PEM_read_bio_X509(ca_bio, nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, ca);
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
      X509_free(ca);
    }
    BIO_free(ca_bio);
    SSL_CTX_set_client_CA_list(&ctx, names);
    // Request a certificate, do not require one (tokens work too). A
    // certificate that does not verify still completes the handshake and
    // is rejected as 401 by the authenticator, as kube-apiserver does.
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
  }
  return true;
}

}  // namespace

void WriteError(httplib::Response& res, const absl::Status& status) {
  WriteValue(res, HttpCodeOf(status), ToStatusObject(status));
}

std::string MediaType(const std::string& content_type) {
  std::string out = content_type.substr(0, content_type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(out));
}

ResponseForm FormFromAccept(const std::string& accept) {
  // kubectl: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;..."
  if (absl::StrContains(accept, "as=Table")) return ResponseForm::kTable;
  if (absl::StrContains(accept, "as=PartialObjectMetadata")) return ResponseForm::kPartialMetadata;
  return ResponseForm::kObject;
}

ApiServer::ApiServer(ApiServerOptions options, ObjectService& service)
    : options_(std::move(options)), service_(service) {
  if (!options_.tls_cert_pem.empty()) {
    const ApiServerOptions* o = &options_;
    http_ = std::make_unique<Transport<httplib::SSLServer>>(
        std::function<bool(SSL_CTX&)>([o](SSL_CTX& ctx) { return SetupTls(ctx, *o); }));
  } else {
    http_ = std::make_unique<Transport<httplib::Server>>();
  }
  http_->new_task_queue = [] { return new ThreadPerConnection(); };
  http_->set_keep_alive_max_count(100000);
  http_->set_keep_alive_timeout(30);
  http_->set_read_timeout(30);
  http_->set_write_timeout(30);
  http_->set_tcp_nodelay(true);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res); };
  http_->Get(".*", handler);
  http_->Post(".*", handler);
  http_->Put(".*", handler);
  http_->Patch(".*", handler);
  http_->Delete(".*", handler);
  http_->Options(".*", handler);
  http_->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    WriteError(res, InternalServerError(what));
  });
  http_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    if (Logger::level() > LogLevel::kDebug) return;
    Logger().Debug("request", {{"method", req.method},
                               {"path", req.target},
                               {"status", std::to_string(res.status)},
                               {"userAgent", req.get_header_value("User-Agent")}});
  });
}

ApiServer::~ApiServer() { Stop(); }

absl::StatusOr<int> ApiServer::Bind() {
  if (options_.port == 0) {
    int port = http_->bind_to_any_port(options_.host);
    if (port <= 0) return absl::UnavailableError(absl::StrCat("cannot bind ", options_.host));
    options_.port = port;
  } else if (!http_->bind_to_port(options_.host, options_.port)) {
    return absl::UnavailableError(absl::StrCat("cannot bind ", options_.host, ":", options_.port));
  }
  if (!BacklogAccess::Raise(*http_, 4096)) {
    Logger().Error("could not raise the listen backlog");
  }
  return options_.port;
}

absl::Status ApiServer::Serve() {
  if (!http_->is_valid()) return absl::InternalError("TLS setup failed (certificate or key)");
  if (!http_->listen_after_bind() && !stopping_.load()) return absl::InternalError("HTTP server failed");
  return absl::OkStatus();
}

void ApiServer::Stop() {
  if (stopping_.exchange(true)) return;
  service_.store().CloseAllWatchers();
  http_->stop();
}

void ApiServer::Dispatch(const httplib::Request& req, httplib::Response& res) {
  try {
    auto user = Authenticate(req);
    if (!user.ok()) return WriteError(res, user.status());
    if (absl::Status allowed = Authorize(req, *user); !allowed.ok()) return WriteError(res, allowed);
    if (ServeDiscovery(req, res)) return;
    auto info = ParseResourcePath(req.path);
    if (!info.has_value()) {
      WriteError(res, PathNotFoundError());
      return;
    }
    if (ServeReview(req, res, *info, *user)) return;
    ServeResource(req, res, *info);
  } catch (const std::exception& e) {
    WriteError(res, InternalServerError(e.what()));
  }
}

}  // namespace fluxcpp::devapiserver
