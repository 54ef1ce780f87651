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
//
// Not thread-safe; cheap to copy.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::kustomize {

class FileLoader {
 public:
  // `dir` must be an existing directory; `bound` empty selects RootOnly mode.
  static absl::StatusOr<FileLoader> Create(const std::string& dir, const std::string& bound, bool allow_remote);

  // Absolute, symlink-free directory of this kustomization.
  const std::string& root() const { return root_; }

  // Reads a file named relative to root() (or absolute).
  absl::StatusOr<std::string> Load(const std::string& path) const;

  // A loader for the directory `path` (relative to root()), refusing cycles
  // and, in bounded mode, anything outside the bound.
  absl::StatusOr<FileLoader> New(const std::string& path) const;

  // The absolute path `path` names (no restriction check).
  std::string Resolve(const std::string& path) const;
  bool IsDir(const std::string& path) const;
  bool Exists(const std::string& path) const;
  // Absolute paths of the entries of directory `path` matching `glob`, sorted.
  absl::StatusOr<std::vector<std::string>> Glob(const std::string& pattern) const;

  // True for the URL forms kustomize treats as remote (git, http).
  static bool IsRemote(const std::string& path);

 private:
  FileLoader() = default;
  absl::StatusOr<std::string> Restrict(const std::string& abs) const;

  std::string root_;
  std::string bound_;
  bool allow_remote_ = false;
  std::shared_ptr<const std::vector<std::string>> visited_;  // roots on the path from the top
};

}  // namespace fluxcpp::kustomize
