#pragma once
// HTTP(S) transport to one API server, shared by a Client and the clients it
// impersonates through, over libs/http (no cpp-httplib):
//   - a pool of keep-alive connections, each used by one request at a time;
//     one idle for 3s or closed by the server is discarded when next taken;
//   - TLS from PEM text (CA bundle, client certificate and key);
//   - authentication headers (bearer token, re-read from a token file as it
//     rotates, or from an exec plugin as it expires or after a 401, or
//     basic), impersonation headers, User-Agent, Accept;
//   - a client-side token-bucket rate limit;
//   - bounded retries with jittered exponential backoff: 429 (honouring
//     Retry-After), refused connections and requests that could not be sent
//     for every verb, and also 5xx and connections lost while reading the
//     response for verbs the server can safely see twice (all but POST and
//     JSON patch);
//   - long-lived streams (watch) on dedicated connections that a StopToken
//     interrupts within ~50ms even when the stream is silent (the reading
//     thread polls it; no helper thread).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/kube/client.h"
#include "libs/kube/config.h"
#include "libs/kube/rate_limiter.h"

namespace fluxcpp::http {
class ClientConnection;
struct Endpoint;
}  // namespace fluxcpp::http

namespace fluxcpp::kube {

// Who the request acts as: the Impersonate-User / Impersonate-Group headers.
struct Identity {
  std::string user;  // "" = no impersonation
  std::vector<std::string> groups;
};

struct HttpRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;    // absolute path with its query, e.g. "/api/v1/pods?limit=5"
  std::string body;
  std::string content_type;  // sent when body is not empty
};

struct RetryPolicy {
  int max_attempts = 5;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  absl::Duration max_retry_after = absl::Seconds(30);  // cap on a server's Retry-After
};

class Transport {
 public:
  // Validates the server URL and TLS material.
  static absl::StatusOr<std::shared_ptr<Transport>> Create(const Config& config);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Sends a request (rate-limited, retried). A 2xx yields the body; any other
  // status the error documented in client.h.
  absl::StatusOr<std::string> Do(const HttpRequest& request, const Identity& identity);

  enum class StreamEnd {
    kEof,      // the server ended the response
    kStopped,  // `stop` was set or `on_data` returned false
    kIdle,     // nothing arrived for `idle_timeout`
  };
  // Streams a 2xx response body to `on_data` on a dedicated connection. A
  // non-2xx status yields its mapped error; a broken connection kUnavailable.
  absl::StatusOr<StreamEnd> Stream(const HttpRequest& request, const Identity& identity,
                                   absl::Duration idle_timeout, const StopToken* stop,
                                   const std::function<bool(std::string_view)>& on_data);

  // The identity from the Config (impersonate_user / impersonate_groups).
  const Identity& default_identity() const { return default_identity_; }
  const std::string& server() const { return server_; }

  void set_retry_policy(const RetryPolicy& policy) { retry_ = policy; }
  // Per-request read timeout (default 60s).
  void set_request_timeout(absl::Duration timeout) { request_timeout_ = timeout; }

 private:
  struct Tls;
  struct IdleConnection {
    std::unique_ptr<http::ClientConnection> connection;
    absl::Time last_used;
    uint64_t generation = 0;  // of the client certificate it was made with
  };

  explicit Transport(const Config& config);
  // Where new connections go, with the current TLS context; `generation`
  // receives the client certificate's generation.
  http::Endpoint CurrentEndpoint(uint64_t* generation) const;
  // A pooled connection still usable, or nullptr.
  std::unique_ptr<http::ClientConnection> TakeIdle(uint64_t* generation);
  void Release(std::unique_ptr<http::ClientConnection> connection, uint64_t generation);
  // The bearer token to send now ("" for none); with an exec plugin, also
  // switches to the plugin's current client certificate.
  absl::StatusOr<std::string> CurrentToken();
  // Makes `cert_pem`/`key_pem` the client certificate of new connections
  // and drops pooled ones (which use the old certificate).
  absl::Status SwitchClientCertificate(const std::string& cert_pem, const std::string& key_pem);
  absl::Duration Backoff(int attempt) const;

  Config config_;
  std::string server_;  // for messages
  bool https_ = false;
  std::string host_;
  int port_ = 0;
  std::string path_prefix_;  // e.g. "/k8s/clusters/c-1" behind a proxy; "" usually
  Identity default_identity_;
  std::unique_ptr<Tls> tls_;
  RateLimiter limiter_;
  RetryPolicy retry_;
  absl::Duration request_timeout_ = absl::Seconds(60);

  absl::Mutex pool_mu_;
  std::vector<IdleConnection> idle_ ABSL_GUARDED_BY(pool_mu_);

  absl::Mutex token_mu_;
  std::string token_ ABSL_GUARDED_BY(token_mu_);
  absl::Time token_read_at_ ABSL_GUARDED_BY(token_mu_) = absl::InfinitePast();
};

// Splits "https://host:6443/prefix" into its parts.
struct ServerUrl {
  bool https = false;
  std::string host;  // without IPv6 brackets
  int port = 0;
  std::string path_prefix;
};
absl::StatusOr<ServerUrl> ParseServerUrl(std::string_view server);

}  // namespace fluxcpp::kube
