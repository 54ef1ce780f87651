#include "libs/kube/transport.h"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/logger.h"
#include "libs/core/status_macros.h"
#include "libs/kube/call_deadline.h"
#include "libs/kube/errors.h"
#include "libs/kube/exec_credential.h"
#include "libs/kube/string_view_compat.h"

namespace fluxcpp::kube {
namespace {

constexpr int kMaxIdleConnections = 16;
// Servers close idle keep-alive connections (cpp-httplib after 5s); dropping
// ours first avoids racing a request against the server's close.
constexpr absl::Duration kMaxConnectionIdle = absl::Seconds(3);
constexpr absl::Duration kTokenFileRefresh = absl::Minutes(1);
constexpr absl::Duration kCancelPoll = absl::Milliseconds(50);
constexpr size_t kMaxErrorBody = 64 * 1024;

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};

absl::StatusOr<std::vector<std::unique_ptr<X509, X509Deleter>>> ParseCertificates(std::string_view pem,
                                                                                   std::string_view what) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<std::unique_ptr<X509, X509Deleter>> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(cert);
  ERR_clear_error();  // the loop ends on a "no start line" error
  if (certs.empty()) return absl::InvalidArgumentError(absl::StrCat(ToAbsl(what), ": no PEM certificate found"));
  return certs;
}

bool IsIdempotent(const HttpRequest& r) {
  if (r.method == "POST") return false;
  if (r.method == "PATCH") return r.content_type != "application/json-patch+json";
  return true;
}

std::string ErrorText(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "connection failed";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "connection broken while reading the response";
    case httplib::Error::Write: return "connection broken while sending the request";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "TLS: cannot load CA certificates";
    case httplib::Error::SSLServerVerification: return "TLS: server certificate verification failed";
    case httplib::Error::Canceled: return "request canceled";
    case httplib::Error::Compression: return "response decompression failed";
    default: return httplib::to_string(e);
  }
}

// Retry-After in seconds (the API server only sends the integer form).
std::optional<absl::Duration> RetryAfter(const httplib::Response& res) {
  if (!res.has_header("Retry-After")) return std::nullopt;
  int seconds = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(res.get_header_value("Retry-After")), &seconds) ||
      seconds < 0) {
    return std::nullopt;
  }
  return absl::Seconds(seconds);
}

}  // namespace

absl::StatusOr<ServerUrl> ParseServerUrl(std::string_view server_view) {
  const std::string server(server_view);
  auto bad = [&](const char* why) {
    return absl::InvalidArgumentError(absl::StrCat("server \"", server, "\": ", why));
  };
  ServerUrl out;
  std::string rest;
  if (server.rfind("https://", 0) == 0) {
    out.https = true;
    rest = server.substr(8);
  } else if (server.rfind("http://", 0) == 0) {
    rest = server.substr(7);
  } else {
    return bad("the URL must start with https:// or http://");
  }
  size_t slash = rest.find('/');
  std::string host_port = rest.substr(0, slash);
  if (slash != std::string::npos) {
    std::string prefix = rest.substr(slash);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    out.path_prefix = prefix;
  }
  std::string port_text;
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    if (close == std::string::npos) return bad("bad IPv6 host");
    out.host = host_port.substr(1, close - 1);
    std::string after = host_port.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("bad host");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = host_port.rfind(':');
    out.host = host_port.substr(0, colon);
    if (colon != std::string::npos) port_text = host_port.substr(colon + 1);
  }
  if (out.host.empty()) return bad("no host");
  if (port_text.empty()) {
    out.port = out.https ? 443 : 80;
  } else if (!absl::SimpleAtoi(port_text, &out.port) || out.port <= 0 || out.port > 65535) {
    return bad("bad port");
  }
  return out;
}

// TLS material parsed once per transport (the client certificate again when
// an exec plugin hands out a new one).
struct Transport::Tls {
  std::vector<std::unique_ptr<X509, X509Deleter>> ca_certs;
  std::string ca_file;  // the CA bundle written out, so that only it is trusted
  absl::Mutex cert_mu;
  std::string client_cert_pem ABSL_GUARDED_BY(cert_mu);
  std::unique_ptr<X509, X509Deleter> client_cert ABSL_GUARDED_BY(cert_mu);
  std::unique_ptr<EVP_PKEY, PkeyDeleter> client_key ABSL_GUARDED_BY(cert_mu);

  ~Tls() {
    if (!ca_file.empty()) ::unlink(ca_file.c_str());
  }
};

// The transport's background thread, started on first need:
//   - interrupts streams whose StopToken is set: a blocked read in httplib
//     only returns when its socket is shut down, which ClientImpl::stop()
//     does safely from another thread;
//   - closes pooled connections once they idle past kMaxConnectionIdle, so
//     the server does not keep them (and, in cpp-httplib servers, a thread
//     each) until its own keep-alive timeout.
class Transport::Housekeeper {
 public:
  explicit Housekeeper(std::function<bool()> reap) : reap_(std::move(reap)) {}

  ~Housekeeper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  int Register(httplib::ClientImpl* client, const StopToken* stop) {
    std::lock_guard<std::mutex> lock(mu_);
    int id = next_id_++;
    entries_[id] = Entry{client, stop};
    StartLocked();
    cv_.notify_all();
    return id;
  }

  void Unregister(int id) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(id);
  }

  // The pool holds idle connections: reap them later.
  void PoolHasIdle() {
    std::lock_guard<std::mutex> lock(mu_);
    if (pool_idle_) return;
    pool_idle_ = true;
    StartLocked();
    cv_.notify_all();
  }

 private:
  struct Entry {
    httplib::ClientImpl* client;
    const StopToken* stop;
  };

  void StartLocked() {
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    auto next_reap = std::chrono::steady_clock::now();
    while (!shutdown_) {
      if (entries_.empty() && !pool_idle_) {
        cv_.wait(lock, [&] { return shutdown_ || !entries_.empty() || pool_idle_; });
        continue;
      }
      cv_.wait_for(lock, entries_.empty() ? std::chrono::milliseconds(500)
                                          : absl::ToChronoMilliseconds(kCancelPoll));
      if (shutdown_) break;
      // Repeated while the token stays set: a stop() that lands before the
      // request is in flight has nothing to interrupt yet.
      for (auto& [id, entry] : entries_) {
        if (entry.stop != nullptr && entry.stop->stopped()) entry.client->stop();
      }
      auto now = std::chrono::steady_clock::now();
      if (pool_idle_ && now >= next_reap) {
        next_reap = now + std::chrono::milliseconds(500);
        lock.unlock();
        bool more = reap_();
        lock.lock();
        pool_idle_ = more;
      }
    }
  }

  const std::function<bool()> reap_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, Entry> entries_;
  int next_id_ = 0;
  bool pool_idle_ = false;
  bool shutdown_ = false;
  std::thread thread_;
};

Transport::Transport(const Config& config)
    : config_(config),
      server_(config.server),
      limiter_(config.qps, config.burst),
      housekeeper_(std::make_unique<Housekeeper>([this] { return ReapIdle(); })) {
  default_identity_.user = config.impersonate_user;
  default_identity_.groups = config.impersonate_groups;
  token_ = config.bearer_token;
}

Transport::~Transport() {
  housekeeper_.reset();  // its thread reaps the pool: stop it first
}

namespace {

// OpenSSL writes with plain write(2): a server closing a TLS connection
// mid-request would kill the process with SIGPIPE instead of failing the
// call. Ignored once, process-wide, unless the program set its own handler.
void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
  });
}

}  // namespace

absl::StatusOr<std::shared_ptr<Transport>> Transport::Create(const Config& config) {
  if (config.server.empty()) return absl::InvalidArgumentError("kube config: no server");
  IgnoreSigpipeOnce();
  FLUX_ASSIGN_OR_RETURN(ServerUrl url, ParseServerUrl(config.server));
  std::shared_ptr<Transport> t(new Transport(config));
  t->https_ = url.https;
  t->host_ = url.host;
  t->port_ = url.port;
  t->path_prefix_ = url.path_prefix;
  if (url.https) {
    auto tls = std::make_unique<Tls>();
    if (!config.ca_pem.empty()) {
      auto certs = ParseCertificates(config.ca_pem, "certificate authority");
      if (!certs.ok()) return certs.status();
      tls->ca_certs = std::move(*certs);
      // Trust exactly this bundle (as kubectl does): httplib adds the system
      // roots to a CA store given in memory, but not to a CA file.
      std::string dir = std::getenv("TMPDIR") != nullptr ? std::getenv("TMPDIR") : "/tmp";
      std::string tmpl = dir + "/fluxcpp-kube-ca-XXXXXX";
      int fd = ::mkstemp(tmpl.data());
      if (fd >= 0) {
        bool ok = ::write(fd, config.ca_pem.data(), config.ca_pem.size()) ==
                  static_cast<ssize_t>(config.ca_pem.size());
        ::close(fd);
        if (ok) {
          tls->ca_file = tmpl;
        } else {
          ::unlink(tmpl.c_str());
        }
      }
    }
    t->tls_ = std::move(tls);
    if (!config.client_cert_pem.empty() || !config.client_key_pem.empty()) {
      FLUX_RETURN_IF_ERROR(t->SwitchClientCertificate(config.client_cert_pem, config.client_key_pem));
    }
  } else if (!config.client_cert_pem.empty()) {
    return absl::InvalidArgumentError("kube config: a client certificate needs an https:// server");
  }
  return t;
}

absl::Status Transport::SwitchClientCertificate(const std::string& cert_pem, const std::string& key_pem) {
  if (cert_pem.empty() || key_pem.empty()) {
    return absl::InvalidArgumentError("kube config: a client certificate needs both certificate and key");
  }
  auto certs = ParseCertificates(cert_pem, "client certificate");
  if (!certs.ok()) return certs.status();
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (key == nullptr) return absl::InvalidArgumentError("client key: no PEM private key found");
  if (X509_check_private_key(certs->front().get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("client key does not match the client certificate");
  }
  {
    absl::MutexLock lock(&tls_->cert_mu);
    tls_->client_cert = std::move(certs->front());
    tls_->client_key = std::move(key);
    tls_->client_cert_pem = cert_pem;
  }
  std::vector<IdleConnection> old;  // closed outside the lock
  absl::MutexLock lock(&pool_mu_);
  old.swap(idle_);
  return absl::OkStatus();
}

std::unique_ptr<httplib::ClientImpl> Transport::NewConnection() const {
  std::unique_ptr<httplib::ClientImpl> client;
  if (https_) {
    std::unique_ptr<httplib::SSLClient> ssl;
    {
      // The SSL context takes its own references to the certificate and key.
      absl::MutexLock lock(&tls_->cert_mu);
      if (tls_->client_cert != nullptr) {
        ssl = std::make_unique<httplib::SSLClient>(host_, port_, tls_->client_cert.get(), tls_->client_key.get());
      } else {
        ssl = std::make_unique<httplib::SSLClient>(host_, port_);
      }
    }
    if (!tls_->ca_file.empty()) {
      ssl->set_ca_cert_path(tls_->ca_file);
    } else if (!tls_->ca_certs.empty()) {
      X509_STORE* store = X509_STORE_new();  // owned by the SSL context from here
      for (const auto& cert : tls_->ca_certs) X509_STORE_add_cert(store, cert.get());
      ssl->set_ca_cert_store(store);
    }
    ssl->enable_server_certificate_verification(!config_.insecure_skip_tls_verify);
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(host_, port_);
  }
  client->set_keep_alive(true);
  client->set_url_encode(false);  // paths arrive encoded
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(std::chrono::seconds(10));
  client->set_read_timeout(absl::ToChronoMilliseconds(request_timeout_));
  client->set_write_timeout(std::chrono::seconds(30));
  return client;
}

std::unique_ptr<httplib::ClientImpl> Transport::Acquire() {
  std::vector<IdleConnection> stale;  // closed outside the lock
  std::unique_ptr<httplib::ClientImpl> found;
  {
    absl::MutexLock lock(&pool_mu_);
    absl::Time now = absl::Now();
    while (!idle_.empty()) {
      IdleConnection c = std::move(idle_.back());
      idle_.pop_back();
      if (now - c.last_used < kMaxConnectionIdle) {
        found = std::move(c.client);
        break;
      }
      stale.push_back(std::move(c));
    }
  }
  if (found != nullptr) return found;
  return NewConnection();
}

void Transport::Release(std::unique_ptr<httplib::ClientImpl> client) {
  if (client == nullptr || !client->is_socket_open()) return;
  // Undo a call deadline's caps (see Do()).
  client->set_connection_timeout(std::chrono::seconds(10));
  client->set_read_timeout(absl::ToChronoMilliseconds(request_timeout_));
  client->set_write_timeout(std::chrono::seconds(30));
  {
    absl::MutexLock lock(&pool_mu_);
    if (static_cast<int>(idle_.size()) >= kMaxIdleConnections) return;
    idle_.push_back(IdleConnection{std::move(client), absl::Now()});
  }
  housekeeper_->PoolHasIdle();
}

bool Transport::ReapIdle() {
  std::vector<IdleConnection> stale;  // closed after the lock is released
  absl::MutexLock lock(&pool_mu_);
  absl::Time now = absl::Now();
  std::vector<IdleConnection> keep;
  for (auto& c : idle_) {
    (now - c.last_used >= kMaxConnectionIdle ? stale : keep).push_back(std::move(c));
  }
  idle_ = std::move(keep);
  return !idle_.empty();
}

absl::StatusOr<std::string> Transport::CurrentToken() {
  if (config_.exec_credentials != nullptr) {
    FLUX_ASSIGN_OR_RETURN(ExecCredential cred, config_.exec_credentials->Get());
    if (!cred.client_certificate_pem.empty()) {
      if (!https_) return absl::InvalidArgumentError("kube config: a client certificate needs an https:// server");
      bool changed;
      {
        absl::MutexLock lock(&tls_->cert_mu);
        changed = tls_->client_cert_pem != cred.client_certificate_pem;
      }
      if (changed) {
        absl::Status s = SwitchClientCertificate(cred.client_certificate_pem, cred.client_key_pem);
        if (!s.ok()) return absl::Status(s.code(), absl::StrCat("exec plugin credential: ", s.message()));
      }
    }
    return cred.token;
  }
  absl::MutexLock lock(&token_mu_);
  if (!config_.bearer_token_file.empty()) {
    absl::Time now = absl::Now();
    if (now - token_read_at_ >= kTokenFileRefresh) {
      token_read_at_ = now;
      std::ifstream in(config_.bearer_token_file, std::ios::binary);
      if (in) {
        std::stringstream ss;
        ss << in.rdbuf();
        std::string token(absl::StripAsciiWhitespace(ss.str()));
        if (!token.empty()) token_ = std::move(token);
      }
    }
  }
  return token_;
}

absl::Duration Transport::Backoff(int attempt) const {
  absl::Duration d = retry_.initial_backoff;
  for (int i = 0; i < attempt && d < retry_.max_backoff; ++i) d *= 2;
  d = std::min(d, retry_.max_backoff);
  thread_local absl::BitGen gen;
  // Up to +50% jitter so that many clients do not retry in lockstep.
  return d + d * absl::Uniform(gen, 0.0, 0.5);
}

namespace {

httplib::Headers BuildHeaders(const Config& config, const std::string& token, const Identity& identity,
                              const HttpRequest& request) {
  httplib::Headers headers;
  headers.emplace("Accept", "application/json");
  headers.emplace("User-Agent", config.user_agent.empty() ? "fluxcpp" : config.user_agent);
  if (!token.empty()) {
    headers.emplace("Authorization", "Bearer " + token);
  } else if (!config.username.empty() || !config.password.empty()) {
    headers.emplace("Authorization", "Basic " + absl::Base64Escape(config.username + ":" + config.password));
  }
  if (!identity.user.empty()) {
    headers.emplace("Impersonate-User", identity.user);
    for (const auto& group : identity.groups) headers.emplace("Impersonate-Group", group);
  }
  if (!request.body.empty()) {
    headers.emplace("Content-Type", request.content_type.empty() ? "application/json" : request.content_type);
  }
  return headers;
}

}  // namespace

absl::StatusOr<std::string> Transport::Do(const HttpRequest& request, const Identity& identity) {
  const bool idempotent = IsIdempotent(request);
  const absl::Time deadline = CurrentCallDeadline();
  const bool bounded = deadline != absl::InfiniteFuture();
  auto deadline_error = [&](const absl::Status& last) {
    return absl::DeadlineExceededError(absl::StrCat(request.method, " ", server_, path_prefix_, request.path,
                                                    ": call deadline exceeded",
                                                    last.ok() ? "" : absl::StrCat(" (last error: ", last.message(), ")")));
  };
  absl::Status last_error;
  bool reauthenticated = false;
  for (int attempt = 0; attempt < retry_.max_attempts; ++attempt) {
    limiter_.Wait();
    absl::Duration left = deadline - absl::Now();
    if (bounded && left <= absl::ZeroDuration()) return deadline_error(last_error);
    FLUX_ASSIGN_OR_RETURN(std::string token, CurrentToken());
    httplib::Request req;
    req.method = request.method;
    req.path = path_prefix_ + request.path;
    req.headers = BuildHeaders(config_, token, identity, request);
    req.body = request.body;

    std::unique_ptr<httplib::ClientImpl> client = Acquire();
    if (bounded) {
      // This attempt may not outlive the caller's deadline; pooled
      // connections get the defaults back in Release().
      auto cap = [&](absl::Duration d) { return absl::ToChronoMilliseconds(std::max(std::min(d, left), absl::Milliseconds(1))); };
      client->set_connection_timeout(cap(absl::Seconds(10)));
      client->set_read_timeout(cap(request_timeout_));
      client->set_write_timeout(cap(absl::Seconds(30)));
    }
    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    bool sent = client->send(req, res, error);
    if (!sent && bounded && absl::Now() >= deadline) return deadline_error(absl::UnavailableError(ErrorText(error)));
    absl::Duration wait = Backoff(attempt);
    if (!sent) {
      std::string message = absl::StrCat(request.method, " ", server_, path_prefix_, request.path, ": ",
                                         ErrorText(error));
      if (error == httplib::Error::SSLServerVerification && https_) {
        auto* ssl = static_cast<httplib::SSLClient*>(client.get());
        absl::StrAppend(&message, " (", X509_verify_cert_error_string(ssl->get_openssl_verify_result()), ")");
      }
      last_error = absl::UnavailableError(message);
      // A refused connection never reached the server, nor did a request
      // that could not be written in full (typically a keep-alive connection
      // the server just closed); a request lost while reading the response
      // may have been acted on.
      bool retriable = error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout ||
                       error == httplib::Error::Write || (idempotent && error == httplib::Error::Read);
      if (!retriable) return last_error;
    } else {
      Release(std::move(client));
      if (res.status >= 200 && res.status < 300) return std::move(res.body);
      // An exec plugin's credential may be revoked before it expires: fetch
      // a new one and try once more, at once (client-go does the same).
      if (res.status == 401 && config_.exec_credentials != nullptr && !reauthenticated) {
        reauthenticated = true;
        config_.exec_credentials->Invalidate(token);
        last_error = StatusFromResponse(res.status, res.body);
        continue;
      }
      absl::Status status = StatusFromResponse(res.status, res.body);
      bool retriable = res.status == 429 ||
                       (idempotent && res.status >= 500 && res.status != 501 && res.status != 505);
      if (!retriable) return status;
      last_error = absl::UnavailableError(status.message());
      for (const char* url : {kReasonPayload, kHttpCodePayload}) {
        if (auto p = status.GetPayload(url)) last_error.SetPayload(url, *p);
      }
      if (auto after = RetryAfter(res)) wait = std::max(wait, std::min(*after, retry_.max_retry_after));
    }
    if (bounded && absl::Now() + wait >= deadline) return deadline_error(last_error);
    if (attempt + 1 < retry_.max_attempts) {
      Logger().Debug("retrying Kubernetes API request", {{"method", request.method},
                                                         {"path", request.path},
                                                         {"attempt", absl::StrCat(attempt + 1)},
                                                         {"error", std::string(last_error.message())},
                                                         {"backoff", absl::FormatDuration(wait)}});
      absl::SleepFor(wait);
    }
  }
  return last_error;
}

absl::StatusOr<Transport::StreamEnd> Transport::Stream(const HttpRequest& request, const Identity& identity,
                                                       absl::Duration idle_timeout, const StopToken* stop,
                                                       const std::function<bool(std::string_view)>& on_data) {
  if (stop != nullptr && stop->stopped()) return StreamEnd::kStopped;
  limiter_.Wait();
  std::unique_ptr<httplib::ClientImpl> client = NewConnection();
  client->set_keep_alive(false);
  client->set_read_timeout(absl::ToChronoMilliseconds(idle_timeout));

  httplib::Request req;
  req.method = request.method;
  req.path = path_prefix_ + request.path;
  FLUX_ASSIGN_OR_RETURN(std::string token, CurrentToken());
  req.headers = BuildHeaders(config_, token, identity, request);
  req.body = request.body;

  int status = 0;
  std::string error_body;
  bool consumer_stopped = false;
  absl::Time last_activity = absl::Now();
  req.response_handler = [&](const httplib::Response& res) {
    status = res.status;
    last_activity = absl::Now();
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    last_activity = absl::Now();
    if (stop != nullptr && stop->stopped()) return false;
    if (status < 200 || status >= 300) {
      if (error_body.size() < kMaxErrorBody) error_body.append(data, n);
      return true;
    }
    if (!on_data(std::string_view(data, n))) {
      consumer_stopped = true;
      return false;
    }
    return true;
  };

  int registration = housekeeper_->Register(client.get(), stop);
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  bool ok = client->send(req, res, error);
  housekeeper_->Unregister(registration);

  if (consumer_stopped || (stop != nullptr && stop->stopped())) return StreamEnd::kStopped;
  if (status == 401 && config_.exec_credentials != nullptr) config_.exec_credentials->Invalidate(token);
  if (status > 0 && (status < 200 || status >= 300)) return StatusFromResponse(status, error_body);
  if (!ok) {
    if (error == httplib::Error::Read && status != 0 &&
        absl::Now() - last_activity >= idle_timeout - absl::Milliseconds(100)) {
      return StreamEnd::kIdle;
    }
    return absl::UnavailableError(
        absl::StrCat(request.method, " ", server_, path_prefix_, request.path, ": ", ErrorText(error)));
  }
  return StreamEnd::kEof;
}

}  // namespace fluxcpp::kube
