#pragma once
// The network side of kustomize remote targets (libs/kustomize's
// RemoteFetcher): git repositories cloned anonymously with libs/git, http(s)
// files fetched with cpp-httplib.
//
//   kustomize_remote::Fetcher fetcher;          // one per build
//   kustomize::BuildOptions opts;
//   opts.remote = &fetcher;
//   auto objects = kustomize::Build(dir, opts);
//   // ~Fetcher removes every clone it made
//
// Clones are cached per (repository, ref, submodules) for the fetcher's
// lifetime, so a repository referenced by several bases is fetched once.
// Only the objects of the wanted ref are fetched. Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "libs/kustomize/remote_fetcher.h"

namespace fluxcpp::kustomize_remote {

struct FetcherOptions {
  // Parent of the clones' temporary directory; empty = $TMPDIR or /tmp.
  std::string temp_dir;
  // Connect/read timeout of http(s) file downloads.
  std::chrono::seconds http_timeout{30};
  // Largest accepted http(s) file.
  int64_t max_file_bytes = 64 << 20;
  // Largest accepted clone (fetched pack bytes); 0 = no limit.
  int64_t max_clone_bytes = 1LL << 30;
};

// The two operations on their own (for processes that do one of them, such
// as tools/fluxcpp's helper). CheckoutRepo writes the checkout into `dest`
// (must be empty or missing); FetchHttpFile returns the body.
absl::Status CheckoutRepo(const kustomize::RepoSpec& spec, const std::string& dest, const FetcherOptions& options);
absl::StatusOr<std::string> FetchHttpFile(const std::string& url, const FetcherOptions& options);

class Fetcher : public kustomize::RemoteFetcher {
 public:
  explicit Fetcher(FetcherOptions options = {});
  ~Fetcher() override;  // removes the clones
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Errors: kNotFound "... couldn't find remote ref <ref>" for an unknown ref,
  // libs/git's clone errors (repository not found, unreachable, timeout)
  // prefixed with the repo spec.
  absl::StatusOr<std::string> CloneRepo(const kustomize::RepoSpec& spec) override;
  absl::StatusOr<std::string> FetchFile(const std::string& url) override;

  // Number of clones made so far (cache misses).
  int clones() const;

 private:
  absl::StatusOr<std::string> TempRoot();

  FetcherOptions options_;
  mutable std::mutex mu_;
  std::string temp_root_;                      // created on first clone
  std::map<std::string, std::string> cache_;   // key -> clone dir
  int clones_ = 0;
};

}  // namespace fluxcpp::kustomize_remote
