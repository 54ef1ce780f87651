#pragma once
// One request to an absolute http(s) URL on a connection of its own,
// following redirects as Go's http.Client does for GET and HEAD (at most
// `max_redirects`; Authorization is dropped when a redirect leaves the
// host). For the occasional downloads and webhooks of the controllers; the
// Kubernetes client keeps its own pool (libs/kube/transport).
//
//   http::FetchOptions options;
//   options.timeout = absl::Seconds(30);
//   auto head = http::Fetch("https://example.com/a.tar.gz", options, {
//       .on_head = [&](const http::ResponseHead& h) { ok = h.status == 200; },
//       .on_data = [&](std::string_view chunk) { return !ok || Write(chunk); }});
//
// Errors: InvalidArgument for a bad URL or TLS material (naming it); the
// failures of client_connection.h (with their Failure kind) for the
// network; ResourceExhausted after too many redirects; Aborted when
// on_data returned false. A non-2xx status is not an error: the final head
// is returned. Thread-compatible; no state is shared between calls.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/http/response_parser.h"
#include "libs/http/socket.h"
#include "libs/http/tls_client_context.h"

namespace fluxcpp::http {

struct FetchOptions {
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Connecting, and the longest silence while sending or receiving.
  absl::Duration timeout = absl::Seconds(60);
  int max_redirects = 10;  // 0: return the redirect itself
  // For https URLs (a context given in tls_context wins, e.g. one shared by
  // many fetches).
  TlsClientOptions tls;
  std::shared_ptr<const TlsClientContext> tls_context;
  CancelCheck cancelled;
};

struct FetchCallbacks {
  // The final response's head, before its body.
  std::function<void(const ResponseHead&)> on_head;
  // The final response's body as it arrives; false stops (Aborted).
  std::function<bool(std::string_view)> on_data;
};

absl::StatusOr<ResponseHead> Fetch(std::string_view url, const FetchOptions& options,
                                   const FetchCallbacks& callbacks = {});

}  // namespace fluxcpp::http
