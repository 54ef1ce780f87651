#pragma once
// The persistent work tree of a fetch cache (CloneOptions::persistent_worktree):
// a directory that always holds exactly the checkout of one commit (as
// libgit2's checkout writes it: regular files, symlinks, an empty directory
// per submodule, no .git), moved between commits by applying the
// tree-to-tree diff, so a new commit costs writes of the changed paths only.
// A state file records which commit (and sparse pathspec) the directory
// holds; it is removed while the directory is being changed, so an
// interrupted update is detected and the directory rebuilt from scratch.

#include <git2.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::git {

struct WorktreeState {
  std::string commit;               // 40-hex commit the directory holds
  std::string dir;                  // the work tree's path
  std::vector<std::string> sparse;  // pathspec of the checkout ("" = everything)
  bool operator==(const WorktreeState&) const = default;
};

// nullopt when the file is missing or unreadable.
std::optional<WorktreeState> ReadWorktreeState(const std::string& file);
// Atomic (tmp + rename).
absl::Status WriteWorktreeState(const std::string& file, const WorktreeState& state);

// Brings `dir` from the checkout of `from` to the checkout of `to`: removes
// deleted paths (and directories left empty), then writes added or changed
// blobs, symlinks and submodule directories. `from` may be null (the empty
// tree: a checkout from scratch into an empty `dir`). Restricted to
// `pathspec` when not empty. Paths with "", ".", ".." or ".git" components are refused
// (kInvalidArgument); on any error `dir` is in an unknown state.
absl::Status ApplyTreeDiff(git_repository* repo, git_tree* from, git_tree* to, const std::string& dir,
                           const std::vector<std::string>& pathspec);

// Removes everything inside `dir` (which is kept, or created).
absl::Status ClearDirectory(const std::string& dir);

// Relative path → 40-hex blob id of every regular (incl. executable) file in
// `tree`, recursively.
absl::StatusOr<std::unordered_map<std::string, std::string>> BlobIds(git_tree* tree);

}  // namespace fluxcpp::git
