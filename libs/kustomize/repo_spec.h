#pragma once
// kustomize's remote-target URLs (resources/components entries naming a git
// repository, optionally a directory inside it and a ref), parsed with the
// rules of kustomize v5's repo specs:
//
//   https://github.com/org/repo//sub/dir?ref=v1.2&timeout=90s&submodules=false
//   github.com/org/repo/sub?ref=main        (github.com: org/repo, rest = path)
//   git::https://host/org/repo.git//path    ("git::" is dropped)
//   ssh://git@host/org/repo.git//path, git@host:org/repo//path (scp style)
//   file:///abs/path/repo.git//path?ref=tag (all segments are the repo unless
//                                             "//" or ".git" splits them)
//   https://dev.azure.com/org/proj/_git/repo/path (repo ends one segment after "_git/")
//
// The repo path ends at "_git/<name>", else at "//", else after the segment
// holding ".git", else after the host's default number of segments (2; all
// for file://). The path inside the repo may not leave it ("//../x").

#include <chrono>
#include <string>

#include "absl/status/statusor.h"

namespace fluxcpp::kustomize {

struct RepoSpec {
  std::string raw;             // the URL as written
  std::string host;            // "https://github.com/", "git@github.com:", "file://"
  std::string repo_path;       // "org/repo", "/abs/path/repo.git"
  std::string kust_root_path;  // directory inside the repository ("" = its root)
  std::string ref;             // ?ref= (wins) or ?version=; "" = the remote's HEAD
  std::chrono::seconds timeout{27};
  bool submodules = true;

  // What git clones: host + repo_path.
  std::string CloneSpec() const { return host + repo_path; }
};

// Errors (kInvalidArgument) carry kustomize's wording: "uri looks like abs
// path: ...", "failed to parse scheme", "failed to parse host segment",
// "failed to parse repo path segment", "url path exits repo: ...".
absl::StatusOr<RepoSpec> ParseRepoSpec(const std::string& url);

// http:// or https:// (case-insensitive): kustomize first tries such an entry
// as a remote file and falls back to a git repository.
bool IsHttpUrl(const std::string& path);

}  // namespace fluxcpp::kustomize
