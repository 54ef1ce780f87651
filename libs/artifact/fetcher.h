#pragma once
// Consumer side of artifacts (spec §10.6): download an artifact over HTTP(S),
// verify its digest before touching the filesystem, then unpack it safely.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace fluxcpp::artifact {

struct FetchOptions {
  int retries = 9;  // extra attempts after the first (kustomize-controller --http-retry)
  std::chrono::milliseconds initial_backoff{1000};  // doubles per retry
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::seconds timeout{60};  // connect and per-read timeout
  int64_t max_untar_size = 0;        // 0 = unlimited (Flux's consumers pass no limit)
  std::string ca_pem;                // trusted for https URLs (only it); empty = system store
};

// Downloads `url` to a temporary file, checks it against `expected_digest`
// ("<algo>:<hex>", or bare hex meaning sha256), and untars it into `dest_dir`.
// Network errors and 5xx answers are retried with exponential backoff.
// Errors: kNotFound "artifact not found" (HTTP 404); kDataLoss
// "failed to verify archive: computed digest doesn't match provided '<d>' …";
// kUnavailable (network / 5xx after retries); kInvalidArgument (bad URL,
// unsafe archive entry); kPermissionDenied (401/403); kFailedPrecondition
// (other non-200 status); kResourceExhausted (max_untar_size exceeded).
// Thread-safe (no shared state).
absl::Status FetchArtifact(const std::string& url, const std::string& expected_digest,
                           const std::string& dest_dir, const FetchOptions& options = {});

// Applies the SOURCE_CONTROLLER_LOCALHOST (or, for URLs containing
// "//source-watcher", SOURCE_WATCHER_LOCALHOST) host override, if set.
std::string ArtifactUrlWithLocalhostOverride(std::string_view url);

}  // namespace fluxcpp::artifact
