#pragma once
// The engine's only door to the network: remote git bases and http(s) files
// (kustomize `resources:`/`components:` URLs). libs/kustomize never fetches
// anything itself; BuildOptions::remote supplies an implementation
// (libs/kustomize_remote), and without one every URL is refused with an
// error naming the kustomization and the URL.

#include <string>

#include "absl/status/statusor.h"
#include "libs/kustomize/repo_spec.h"

namespace fluxcpp::kustomize {

class RemoteFetcher {
 public:
  virtual ~RemoteFetcher() = default;

  // Checks out `spec.CloneSpec()` at `spec.ref` (the remote's HEAD when
  // empty) and returns the absolute directory of the checkout. The directory
  // stays valid for the fetcher's lifetime; repeated calls for the same repo,
  // ref and submodule setting may return the same directory.
  virtual absl::StatusOr<std::string> CloneRepo(const RepoSpec& spec) = 0;

  // Body of an http(s) URL. A non-2xx answer is kFailedPrecondition with
  // "<url>: status code <n> (<text>)" (kustomize's ErrHTTP); transport
  // failures use other codes.
  virtual absl::StatusOr<std::string> FetchFile(const std::string& url) = 0;
};

}  // namespace fluxcpp::kustomize
