#include "libs/http/fetch.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/status_macros.h"
#include "libs/http/client_connection.h"
#include "libs/http/url.h"

namespace fluxcpp::http {
namespace {

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Prefixes a network failure with what was being fetched, keeping its kind.
absl::Status WithUrl(const absl::Status& status, const std::string& method, const Url& url) {
  std::string message = absl::StrCat(method, " ", url.String(), ": ", std::string(status.message()));
  Failure kind = FailureOf(status);
  if (kind != Failure::kNone) return MakeFailure(kind, message);
  return absl::Status(status.code(), message);
}

}  // namespace

absl::StatusOr<ResponseHead> Fetch(std::string_view raw_url, const FetchOptions& options,
                                   const FetchCallbacks& callbacks) {
  FLUX_ASSIGN_OR_RETURN(Url url, ParseUrl(raw_url));
  const std::string original_host = url.host;
  std::shared_ptr<const TlsClientContext> tls = options.tls_context;
  const bool follow = options.method == "GET" || options.method == "HEAD";
  IoOptions io;
  io.write_timeout = options.timeout;
  io.read_timeout = options.timeout;
  io.cancelled = options.cancelled;
  for (int redirects = 0;; ++redirects) {
    Endpoint endpoint{url.host, url.port, nullptr};
    if (url.https) {
      if (tls == nullptr) {
        auto created = TlsClientContext::Create(options.tls);
        if (!created.ok()) return created.status();
        tls = *std::move(created);
      }
      endpoint.tls = tls;
    }
    auto conn = ClientConnection::Connect(endpoint, absl::Now() + options.timeout, options.cancelled);
    if (!conn.ok()) return WithUrl(conn.status(), options.method, url);

    Request request;
    request.method = options.method;
    request.target = url.target;
    request.body = options.body;
    for (const auto& header : options.headers) {
      // Credentials go to the host they were meant for only.
      if (url.host != original_host && absl::EqualsIgnoreCase(header.first, "Authorization")) continue;
      request.headers.push_back(header);
    }
    request.headers.emplace_back("Connection", "close");
    auto head = (*conn)->Send(request, io);
    if (!head.ok()) return WithUrl(head.status(), options.method, url);

    const std::string* location = head->Find("Location");
    if (follow && IsRedirect(head->status) && location != nullptr && options.max_redirects > 0) {
      if (redirects + 1 > options.max_redirects) {
        return absl::ResourceExhaustedError(
            absl::StrCat(options.method, " ", std::string(raw_url), ": stopped after ", options.max_redirects, " redirects"));
      }
      auto next = ResolveReference(url, *location);
      if (!next.ok()) return WithUrl(next.status(), options.method, url);
      url = *std::move(next);
      continue;  // the redirect's own body is not read: its connection closes
    }

    if (callbacks.on_head) callbacks.on_head(*head);
    bool stopped = false;
    auto done = (*conn)->ReadBody(
        [&](std::string_view chunk) {
          if (!callbacks.on_data || callbacks.on_data(chunk)) return true;
          stopped = true;
          return false;
        },
        io);
    if (stopped) return absl::AbortedError(absl::StrCat(options.method, " ", url.String(), ": stopped by the receiver"));
    if (!done.ok()) return WithUrl(done.status(), options.method, url);
    return *std::move(head);
  }
}

}  // namespace fluxcpp::http
