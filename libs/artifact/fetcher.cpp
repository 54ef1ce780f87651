#include "libs/artifact/fetcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/artifact/absl_compat.h"
#include "libs/artifact/byte_stream.h"
#include "libs/artifact/untar.h"
#include "libs/core/digest.h"
#include "libs/http/fetch.h"
#include "libs/http/url.h"

namespace fluxcpp::artifact {
namespace {

// One attempt. `retryable` tells the caller whether to try again.
absl::Status DownloadOnce(const std::string& url, const http::FetchOptions& fetch, int fd, Hasher& hasher,
                          bool& retryable) {
  retryable = false;
  if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
    return absl::InternalError("failed to reset download file");
  }
  int status = 0;
  absl::Status write_status;
  FdSink sink(fd);
  auto head = http::Fetch(url, fetch,
                          {.on_head = [&](const http::ResponseHead& h) { status = h.status; },
                           .on_data = [&](std::string_view chunk) {
                             if (status != 200) return true;  // drain error bodies
                             hasher.Update(chunk);
                             write_status = sink.Write(chunk);
                             return write_status.ok();
                           }});
  if (!write_status.ok()) return write_status;
  if (!head.ok()) {
    if (head.status().code() == absl::StatusCode::kInvalidArgument) return head.status();
    retryable = true;
    return absl::UnavailableError(absl::StrCat("failed to download artifact from ", url, ": ",
                                               std::string(head.status().message())));
  }
  status = head->status;
  if (status == 200) return absl::OkStatus();
  const std::string detail = absl::StrCat("failed to download artifact from ", url, ", status: ", status);
  if (status == 404) return absl::NotFoundError(absl::StrCat("artifact not found: ", url));
  if (status >= 500 || status == 429) {
    retryable = true;
    return absl::UnavailableError(detail);
  }
  if (status == 401 || status == 403) return absl::PermissionDeniedError(detail);
  return absl::FailedPreconditionError(detail);
}

}  // namespace

std::string ArtifactUrlWithLocalhostOverride(std::string_view url) {
  const char* var = absl::StrContains(AV(url), "//source-watcher") ? "SOURCE_WATCHER_LOCALHOST"
                                                                   : "SOURCE_CONTROLLER_LOCALHOST";
  const char* host = std::getenv(var);
  if (host == nullptr || *host == '\0') return std::string(url);
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  size_t host_start = scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  if (host_end == std::string_view::npos) host_end = url.size();
  return absl::StrCat(AV(url.substr(0, host_start)), host, AV(url.substr(host_end)));
}

absl::Status FetchArtifact(const std::string& url, const std::string& expected_digest,
                           const std::string& dest_dir, const FetchOptions& options) {
  auto parsed = http::ParseUrl(url);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("artifact URL: ", std::string(parsed.status().message())));
  }
  http::FetchOptions fetch;
  fetch.timeout = absl::FromChrono(options.timeout);
  if (parsed->https) {
    // One TLS context for every attempt: the CA bundle is parsed once.
    http::TlsClientOptions tls;
    tls.ca_pem = options.ca_pem;
    auto context = http::TlsClientContext::Create(tls);
    if (!context.ok()) return context.status();
    fetch.tls_context = *std::move(context);
  }
  std::string algorithm = "sha256";
  std::string expected_hex = expected_digest;
  if (size_t colon = expected_digest.find(':'); colon != std::string::npos) {
    algorithm = expected_digest.substr(0, colon);
    expected_hex = expected_digest.substr(colon + 1);
  }
  if (!Hasher::Create(algorithm).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported digest algorithm in '", expected_digest, "'"));
  }

  std::error_code ec;
  std::string tmpl =
      (std::filesystem::temp_directory_path(ec) / "fluxcpp-artifact-XXXXXX").string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return absl::InternalError("failed to create temporary download file");
  ::unlink(tmpl.c_str());  // anonymous: vanishes when closed

  absl::Status last;
  std::string actual_hex;
  auto backoff = options.initial_backoff;
  for (int attempt = 0; attempt <= std::max(0, options.retries); ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, options.max_backoff);
    }
    auto hasher = Hasher::Create(algorithm);
    bool retryable = false;
    last = DownloadOnce(url, fetch, fd, *hasher, retryable);
    if (last.ok()) {
      actual_hex = hasher->FinishHex();
      break;
    }
    if (!retryable) break;
  }
  if (!last.ok()) {
    ::close(fd);
    return last;
  }
  if (actual_hex != expected_hex) {
    ::close(fd);
    return absl::DataLossError(
        absl::StrCat("failed to verify archive: computed digest doesn't match provided '",
                     expected_digest, "' (", algorithm, ":", actual_hex, ")"));
  }
  if (::lseek(fd, 0, SEEK_SET) != 0) {
    ::close(fd);
    return absl::InternalError("failed to rewind download file");
  }
  FdSource source(fd);
  UntarOptions untar;
  untar.max_size = options.max_untar_size;
  absl::Status st = Untar(source, dest_dir, untar);
  ::close(fd);
  if (!st.ok())
    return absl::Status(st.code(), absl::StrCat("failed to untar artifact: ", st.message()));
  return absl::OkStatus();
}

}  // namespace fluxcpp::artifact
