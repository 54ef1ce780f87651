#include "libs/artifact/fetcher.h"

#include <fcntl.h>
#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
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

namespace fluxcpp::artifact {
namespace {

struct ParsedUrl {
  std::string scheme_host_port;  // "http://host:port"
  std::string host;              // "host:port" as written
  std::string path_and_query;    // "/a/b?x"
};

absl::StatusOr<ParsedUrl> ParseUrl(std::string_view url) {
  ParsedUrl out;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    return absl::InvalidArgumentError(absl::StrCat("invalid artifact URL '", AV(url), "'"));
  std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported scheme in artifact URL '", AV(url), "'"));
  }
  std::string_view rest = url.substr(scheme_end + 3);
  size_t slash = rest.find_first_of("/?#");
  std::string_view host = rest.substr(0, slash);
  if (host.empty() || host.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("invalid host in artifact URL '", AV(url), "'"));
  }
  out.host = std::string(host);
  out.scheme_host_port = absl::StrCat(AV(scheme), "://", AV(host));
  std::string_view path =
      slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (size_t hash = path.find('#'); hash != std::string_view::npos) path = path.substr(0, hash);
  out.path_and_query =
      path.empty() || path.front() != '/' ? absl::StrCat("/", AV(path)) : std::string(path);
  return out;
}

// Builds an X509_STORE from PEM text; caller owns the result (httplib takes it).
X509_STORE* StoreFromPem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return nullptr;
  X509_STORE* store = X509_STORE_new();
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) ++added;
    X509_free(cert);
  }
  BIO_free(bio);
  if (added == 0) {
    X509_STORE_free(store);
    return nullptr;
  }
  return store;
}

// One attempt. `retryable` tells the caller whether to try again.
absl::Status DownloadOnce(const ParsedUrl& url, const std::string& display_url,
                          const FetchOptions& options, int fd, Hasher& hasher, bool& retryable) {
  retryable = false;
  httplib::Client client(url.scheme_host_port);
  client.set_connection_timeout(options.timeout);
  client.set_read_timeout(options.timeout);
  client.set_follow_location(true);
  if (!options.ca_pem.empty() && url.scheme_host_port.rfind("https://", 0) == 0) {
    // httplib hands the store to the TLS context, which owns it from then on.
    X509_STORE* store = StoreFromPem(options.ca_pem);
    if (store == nullptr) return absl::InvalidArgumentError("failed to parse CA certificate");
    client.set_ca_cert_store(store);
  }
  if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) {
    return absl::InternalError("failed to reset download file");
  }
  int status = 0;
  absl::Status write_status;
  FdSink sink(fd);
  auto result = client.Get(
      url.path_and_query,
      [&](const httplib::Response& res) {
        status = res.status;
        return true;
      },
      [&](const char* data, size_t len) {
        if (status != 200) return true;  // drain error bodies
        std::string_view chunk(data, len);
        hasher.Update(chunk);
        write_status = sink.Write(chunk);
        return write_status.ok();
      });
  if (!write_status.ok()) return write_status;
  if (!result) {
    retryable = true;
    return absl::UnavailableError(absl::StrCat("failed to download artifact from ", display_url,
                                               ": ", httplib::to_string(result.error())));
  }
  status = result->status;
  if (status == 200) return absl::OkStatus();
  const std::string detail =
      absl::StrCat("failed to download artifact from ", display_url, ", status: ", status);
  if (status == 404) return absl::NotFoundError(absl::StrCat("artifact not found: ", display_url));
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
  auto parsed = ParseUrl(url);
  if (!parsed.ok()) return parsed.status();
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
    last = DownloadOnce(*parsed, url, options, fd, *hasher, retryable);
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
