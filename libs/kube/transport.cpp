#include "libs/kube/transport.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/logger.h"
#include "libs/core/status_macros.h"
#include "libs/http/client_connection.h"
#include "libs/http/failure.h"
#include "libs/http/tls_client_context.h"
#include "libs/kube/call_deadline.h"
#include "libs/kube/errors.h"
#include "libs/kube/exec_credential.h"
#include "libs/kube/string_view_compat.h"

namespace fluxcpp::kube {
namespace {

using http::Failure;

constexpr int kMaxIdleConnections = 16;
// Servers close idle keep-alive connections (cpp-httplib after 5s); dropping
// ours first avoids racing a request against the server's close.
constexpr absl::Duration kMaxConnectionIdle = absl::Seconds(3);
constexpr absl::Duration kTokenFileRefresh = absl::Minutes(1);
constexpr absl::Duration kConnectTimeout = absl::Seconds(10);
constexpr absl::Duration kWriteTimeout = absl::Seconds(30);
constexpr size_t kMaxErrorBody = 64 * 1024;
// Large lists are tens of MiB; this only stops a runaway server.
constexpr size_t kMaxResponseBody = size_t{1} << 30;

bool IsIdempotent(const HttpRequest& r) {
  if (r.method == "POST") return false;
  if (r.method == "PATCH") return r.content_type != "application/json-patch+json";
  return true;
}

// "connection failed (Connection refused)", "TLS: server certificate
// verification failed (self-signed certificate)".
std::string FailureText(const absl::Status& status) {
  Failure kind = http::FailureOf(status);
  std::string detail(status.message());
  if (kind == Failure::kNone) return detail;
  if (kind == Failure::kTlsVerify) return absl::StrCat("TLS: ", detail);
  std::string text(http::FailureName(kind));
  if (!detail.empty() && detail != text) absl::StrAppend(&text, " (", detail, ")");
  return text;
}

// Retry-After in seconds (the API server only sends the integer form).
std::optional<absl::Duration> RetryAfter(const http::ResponseHead& head) {
  const std::string* value = head.Find("Retry-After");
  if (value == nullptr) return std::nullopt;
  int seconds = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*value), &seconds) || seconds < 0) return std::nullopt;
  return absl::Seconds(seconds);
}

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers BuildHeaders(const Config& config, const std::string& token, const Identity& identity,
                     const HttpRequest& request) {
  Headers headers;
  headers.emplace_back("Accept", "application/json");
  headers.emplace_back("User-Agent", config.user_agent.empty() ? "fluxcpp" : config.user_agent);
  if (!token.empty()) {
    headers.emplace_back("Authorization", "Bearer " + token);
  } else if (!config.username.empty() || !config.password.empty()) {
    headers.emplace_back("Authorization", "Basic " + absl::Base64Escape(config.username + ":" + config.password));
  }
  if (!identity.user.empty()) {
    headers.emplace_back("Impersonate-User", identity.user);
    for (const auto& group : identity.groups) headers.emplace_back("Impersonate-Group", group);
  }
  if (!request.body.empty()) {
    headers.emplace_back("Content-Type", request.content_type.empty() ? "application/json" : request.content_type);
  }
  return headers;
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

// TLS settings: the CA bundle and verification mode fixed at creation, the
// client certificate replaceable (an exec plugin may hand out a new one).
struct Transport::Tls {
  http::TlsClientOptions options;  // without the client certificate
  mutable absl::Mutex mu;
  std::string client_cert_pem ABSL_GUARDED_BY(mu);
  std::shared_ptr<const http::TlsClientContext> context ABSL_GUARDED_BY(mu);
  uint64_t generation ABSL_GUARDED_BY(mu) = 0;
};

Transport::Transport(const Config& config) : config_(config), server_(config.server), limiter_(config.qps, config.burst) {
  default_identity_.user = config.impersonate_user;
  default_identity_.groups = config.impersonate_groups;
  token_ = config.bearer_token;
}

Transport::~Transport() = default;

absl::StatusOr<std::shared_ptr<Transport>> Transport::Create(const Config& config) {
  if (config.server.empty()) return absl::InvalidArgumentError("kube config: no server");
  FLUX_ASSIGN_OR_RETURN(ServerUrl url, ParseServerUrl(config.server));
  std::shared_ptr<Transport> t(new Transport(config));
  t->https_ = url.https;
  t->host_ = url.host;
  t->port_ = url.port;
  t->path_prefix_ = url.path_prefix;
  if (url.https) {
    auto tls = std::make_unique<Tls>();
    // Exactly this CA bundle is trusted when given (as kubectl does).
    tls->options.ca_pem = config.ca_pem;
    tls->options.insecure_skip_verify = config.insecure_skip_tls_verify;
    t->tls_ = std::move(tls);
    if (!config.client_cert_pem.empty() || !config.client_key_pem.empty()) {
      FLUX_RETURN_IF_ERROR(t->SwitchClientCertificate(config.client_cert_pem, config.client_key_pem));
    } else {
      auto context = http::TlsClientContext::Create(t->tls_->options);
      if (!context.ok()) return context.status();
      absl::MutexLock lock(&t->tls_->mu);
      t->tls_->context = std::move(*context);
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
  http::TlsClientOptions options = tls_->options;
  options.client_cert_pem = cert_pem;
  options.client_key_pem = key_pem;
  auto context = http::TlsClientContext::Create(options);
  if (!context.ok()) return context.status();
  {
    absl::MutexLock lock(&tls_->mu);
    tls_->context = std::move(*context);
    tls_->client_cert_pem = cert_pem;
    ++tls_->generation;
  }
  std::vector<IdleConnection> old;  // closed outside the lock
  absl::MutexLock lock(&pool_mu_);
  old.swap(idle_);
  return absl::OkStatus();
}

http::Endpoint Transport::CurrentEndpoint(uint64_t* generation) const {
  http::Endpoint endpoint{host_, port_, nullptr};
  *generation = 0;
  if (tls_ != nullptr) {
    absl::MutexLock lock(&tls_->mu);
    endpoint.tls = tls_->context;
    *generation = tls_->generation;
  }
  return endpoint;
}

std::unique_ptr<http::ClientConnection> Transport::TakeIdle(uint64_t* generation) {
  std::vector<IdleConnection> stale;  // closed outside the lock
  absl::MutexLock lock(&pool_mu_);
  const absl::Time now = absl::Now();
  while (!idle_.empty()) {
    IdleConnection c = std::move(idle_.back());
    idle_.pop_back();
    // The server may have closed it meanwhile: that shows as readable.
    if (now - c.last_used < kMaxConnectionIdle && c.connection->IdleAndOpen()) {
      *generation = c.generation;
      return std::move(c.connection);
    }
    stale.push_back(std::move(c));
  }
  return nullptr;
}

void Transport::Release(std::unique_ptr<http::ClientConnection> connection, uint64_t generation) {
  if (connection == nullptr || !connection->reusable()) return;
  if (tls_ != nullptr) {
    absl::MutexLock lock(&tls_->mu);
    if (generation != tls_->generation) return;  // made with an old client certificate
  }
  std::vector<IdleConnection> stale;  // closed outside the lock
  absl::MutexLock lock(&pool_mu_);
  // Drop what idled too long, so the server does not keep it open for us.
  const absl::Time now = absl::Now();
  auto old = std::partition(idle_.begin(), idle_.end(),
                            [&](const IdleConnection& c) { return now - c.last_used < kMaxConnectionIdle; });
  std::move(old, idle_.end(), std::back_inserter(stale));
  idle_.erase(old, idle_.end());
  if (static_cast<int>(idle_.size()) >= kMaxIdleConnections) return;
  idle_.push_back(IdleConnection{std::move(connection), now, generation});
}

absl::StatusOr<std::string> Transport::CurrentToken() {
  if (config_.exec_credentials != nullptr) {
    FLUX_ASSIGN_OR_RETURN(ExecCredential cred, config_.exec_credentials->Get());
    if (!cred.client_certificate_pem.empty()) {
      if (!https_) return absl::InvalidArgumentError("kube config: a client certificate needs an https:// server");
      bool changed;
      {
        absl::MutexLock lock(&tls_->mu);
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

absl::StatusOr<std::string> Transport::Do(const HttpRequest& request, const Identity& identity) {
  const bool idempotent = IsIdempotent(request);
  const absl::Time deadline = CurrentCallDeadline();
  const bool bounded = deadline != absl::InfiniteFuture();
  const std::string what = absl::StrCat(request.method, " ", server_, path_prefix_, request.path);
  auto deadline_error = [&](const absl::Status& last) {
    return absl::DeadlineExceededError(absl::StrCat(what, ": call deadline exceeded",
                                                    last.ok() ? "" : absl::StrCat(" (last error: ", last.message(), ")")));
  };
  absl::Status last_error;
  bool reauthenticated = false;
  for (int attempt = 0; attempt < retry_.max_attempts; ++attempt) {
    limiter_.Wait();
    if (bounded && deadline <= absl::Now()) return deadline_error(last_error);
    FLUX_ASSIGN_OR_RETURN(std::string token, CurrentToken());
    http::Request req{request.method, path_prefix_ + request.path, BuildHeaders(config_, token, identity, request),
                      request.body};
    // Every wait of this attempt ends by the caller's deadline at the latest.
    http::IoOptions io;
    io.deadline = deadline;
    io.read_timeout = request_timeout_;
    io.write_timeout = kWriteTimeout;

    uint64_t generation = 0;
    std::unique_ptr<http::ClientConnection> connection = TakeIdle(&generation);
    const bool reused = connection != nullptr;
    absl::StatusOr<http::Response> res = absl::UnknownError("not sent");
    if (connection == nullptr) {
      http::Endpoint endpoint = CurrentEndpoint(&generation);
      auto made = http::ClientConnection::Connect(endpoint, std::min(deadline, absl::Now() + kConnectTimeout), nullptr);
      if (made.ok()) {
        connection = std::move(*made);
      } else {
        res = made.status();
      }
    }
    if (connection != nullptr) res = connection->RoundTrip(req, io, kMaxResponseBody);

    absl::Duration wait = Backoff(attempt);
    if (!res.ok()) {
      const Failure kind = http::FailureOf(res.status());
      absl::Status error = absl::UnavailableError(absl::StrCat(what, ": ", FailureText(res.status())));
      if (kind == Failure::kNone) return Annotate(res.status(), what);  // a request we cannot write
      if (bounded && absl::Now() >= deadline) return deadline_error(error);
      last_error = error;
      // A refused connection never reached the server, nor did a request
      // that could not be written in full; a request lost while waiting for
      // the response may have been acted on.
      const bool lost_in_flight = kind == Failure::kClosedBeforeHead || kind == Failure::kReadFailed ||
                                  kind == Failure::kTimeout;
      const bool retriable = kind == Failure::kConnectFailed || kind == Failure::kConnectTimeout ||
                             kind == Failure::kWriteFailed || (idempotent && lost_in_flight);
      if (!retriable) return last_error;
      // A pooled connection the server closed just as we used it: a fresh
      // one needs no backoff.
      if (reused && (kind == Failure::kWriteFailed || kind == Failure::kClosedBeforeHead)) wait = absl::ZeroDuration();
    } else {
      Release(std::move(connection), generation);
      const int status = res->head.status;
      if (status >= 200 && status < 300) return std::move(res->body);
      // An exec plugin's credential may be revoked before it expires: fetch
      // a new one and try once more, at once (client-go does the same).
      if (status == 401 && config_.exec_credentials != nullptr && !reauthenticated) {
        reauthenticated = true;
        config_.exec_credentials->Invalidate(token);
        last_error = StatusFromResponse(status, res->body);
        continue;
      }
      absl::Status mapped = StatusFromResponse(status, res->body);
      bool retriable = status == 429 || (idempotent && status >= 500 && status != 501 && status != 505);
      if (!retriable) return mapped;
      last_error = absl::UnavailableError(mapped.message());
      for (const char* url : {kReasonPayload, kHttpCodePayload}) {
        if (auto p = mapped.GetPayload(url)) last_error.SetPayload(url, *p);
      }
      if (auto after = RetryAfter(res->head)) wait = std::max(wait, std::min(*after, retry_.max_retry_after));
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
  auto stopped = [stop] { return stop != nullptr && stop->stopped(); };
  if (stopped()) return StreamEnd::kStopped;
  limiter_.Wait();
  const std::string what = absl::StrCat(request.method, " ", server_, path_prefix_, request.path);
  FLUX_ASSIGN_OR_RETURN(std::string token, CurrentToken());
  http::Request req{request.method, path_prefix_ + request.path, BuildHeaders(config_, token, identity, request),
                    request.body};
  req.headers.emplace_back("Connection", "close");  // a dedicated connection
  http::IoOptions io;
  io.read_timeout = idle_timeout;
  io.write_timeout = kWriteTimeout;
  io.cancelled = stopped;
  auto broken = [&](const absl::Status& s) -> absl::StatusOr<StreamEnd> {
    if (stopped() || http::FailureOf(s) == Failure::kCancelled) return StreamEnd::kStopped;
    if (http::FailureOf(s) == Failure::kNone) return Annotate(s, what);
    return absl::UnavailableError(absl::StrCat(what, ": ", FailureText(s)));
  };

  uint64_t generation = 0;
  http::Endpoint endpoint = CurrentEndpoint(&generation);
  auto connection = http::ClientConnection::Connect(endpoint, absl::Now() + kConnectTimeout, stopped);
  if (!connection.ok()) return broken(connection.status());
  auto head = (*connection)->Send(req, io);
  if (!head.ok()) return broken(head.status());

  const int status = head->status;
  if (status == 401 && config_.exec_credentials != nullptr) config_.exec_credentials->Invalidate(token);
  if (status < 200 || status >= 300) {
    std::string body;
    io.deadline = absl::Now() + idle_timeout;
    (void)(*connection)->ReadBody(
        [&](std::string_view data) {
          body.append(data.data(), std::min(data.size(), kMaxErrorBody - body.size()));
          return body.size() < kMaxErrorBody;
        },
        io);
    if (stopped()) return StreamEnd::kStopped;
    return StatusFromResponse(status, body);
  }
  bool consumer_stopped = false;
  auto done = (*connection)->ReadBody(
      [&](std::string_view data) {
        if (stopped()) return false;
        if (!on_data(data)) {
          consumer_stopped = true;
          return false;
        }
        return true;
      },
      io);
  if (consumer_stopped || stopped()) return StreamEnd::kStopped;
  if (!done.ok()) {
    // Reads wait at most idle_timeout each: a timeout means silence.
    if (http::FailureOf(done.status()) == Failure::kTimeout) return StreamEnd::kIdle;
    return broken(done.status());
  }
  return StreamEnd::kEof;
}

}  // namespace fluxcpp::kube
