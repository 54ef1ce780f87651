#pragma once
// File access for one kustomization root, with kustomize's load restrictions.
//
// Two modes:
//   - RootOnly (kustomize's default, `BuildOptions::root` empty): a
//     kustomization may read files only in or below its own directory;
//     other kustomization directories (bases, components) may live anywhere.
//   - Bounded (`BuildOptions::root` set, Flux's setting): any file or
//     directory may be read as long as it lies inside the bound, after
//     symlinks are resolved (CVE-2022-24877).
// Directory recursion refuses cycles (CVE-2022-24878).
// Remote entries (git repo specs, http(s) files) go through the injected
// RemoteFetcher; without one they are refused. A loader for a remote base is
// rooted in its checkout: it never reads outside that checkout (its bases
// must stay inside it too), whatever the parent's mode.
//
// Not thread-safe; cheap to copy.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kustomize/remote_fetcher.h"

namespace fluxcpp::kustomize {

class FileLoader {
 public:
  // `dir` must be an existing directory; `bound` empty selects RootOnly mode.
  // `remote` (may be null: remote entries refused) must outlive the loader.
  static absl::StatusOr<FileLoader> Create(const std::string& dir, const std::string& bound, RemoteFetcher* remote);

  // Absolute, symlink-free directory of this kustomization.
  const std::string& root() const { return root_; }

  // Reads a file named relative to root() (or absolute), or an http(s) URL.
  absl::StatusOr<std::string> Load(const std::string& path) const;

  // A loader for the directory `path` (relative to root()) or the remote
  // git target `path` (a repo spec, see repo_spec.h), refusing cycles and,
  // in bounded mode, anything outside the bound.
  absl::StatusOr<FileLoader> New(const std::string& path) const;

  // The absolute path `path` names (no restriction check).
  std::string Resolve(const std::string& path) const;
  bool IsDir(const std::string& path) const;
  bool Exists(const std::string& path) const;
  // Absolute paths of the entries of directory `path` matching `glob`, sorted.
  absl::StatusOr<std::vector<std::string>> Glob(const std::string& pattern) const;

  // True for the URL forms kustomize treats as remote (http(s) or a git repo spec).
  static bool IsRemote(const std::string& path);

  // The checkout this loader's kustomization came from ("" when local).
  const std::string& clone_root() const { return clone_root_; }

 private:
  FileLoader() = default;
  absl::StatusOr<std::string> Restrict(const std::string& abs) const;
  absl::Status RemoteDisabled(const std::string& url) const;
  absl::StatusOr<FileLoader> NewRemote(const RepoSpec& spec) const;
  absl::StatusOr<FileLoader> Child(const std::string& real_root) const;

  std::string root_;
  std::string bound_;
  std::string clone_root_;             // canonical checkout dir of a remote base
  RemoteFetcher* remote_ = nullptr;
  std::shared_ptr<const std::vector<std::string>> visited_;  // roots on the path from the top
};

}  // namespace fluxcpp::kustomize
