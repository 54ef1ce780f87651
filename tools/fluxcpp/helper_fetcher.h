#pragma once
// kustomize remote targets for the fluxcpp CLI, fetched by the
// `fluxcpp-remote` helper process (libs/kustomize_remote). Keeping libgit2,
// the HTTP client and OpenSSL out of `fluxcpp` keeps its start-up small; the
// helper only starts when a build meets a URL.
//
// Helper protocol (remote_helper_main.cpp):
//   fluxcpp-remote clone <repo-spec URL> <dest>   checkout into dest
//   fluxcpp-remote get <http(s) URL>              body on stdout
//   exit 0 = ok; otherwise stderr is "<absl::StatusCode number>\n<message>".

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "libs/kustomize/remote_fetcher.h"

namespace fluxcpp::cli {

class HelperFetcher : public kustomize::RemoteFetcher {
 public:
  // `helper` empty: $FLUXCPP_REMOTE_HELPER, else `fluxcpp-remote` next to
  // this executable.
  explicit HelperFetcher(std::string helper = "");
  ~HelperFetcher() override;  // removes the clones
  HelperFetcher(const HelperFetcher&) = delete;
  HelperFetcher& operator=(const HelperFetcher&) = delete;

  // Clones are cached per (repository, ref, submodules) for this object's lifetime.
  absl::StatusOr<std::string> CloneRepo(const kustomize::RepoSpec& spec) override;
  absl::StatusOr<std::string> FetchFile(const std::string& url) override;

  int clones() const { return static_cast<int>(cache_.size()); }

 private:
  absl::StatusOr<std::string> Run(const std::vector<std::string>& args) const;

  std::string helper_;
  std::string temp_root_;
  std::map<std::string, std::string> cache_;
};

}  // namespace fluxcpp::cli
