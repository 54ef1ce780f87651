#pragma once
// Decides which paths of a source tree are excluded from an artifact, with
// git's .gitignore semantics and Flux's .sourceignore rules (spec §2.4):
//  - rules from a file in directory D apply only below D; deeper files win over
//    shallower ones; within a file the last matching rule wins;
//  - "override" rules (spec.ignore) win over every file; "base" rules (Flux's
//    built-in defaults) lose to every file;
//  - once a directory is excluded, nothing below it can be re-included.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/artifact/ignore_pattern.h"

namespace fluxcpp::artifact {

// Flux's built-in lists (fluxcd/pkg/sourceignore).
inline constexpr std::string_view kVcsIgnorePatterns =
    ".git/\n.gitignore\n.gitmodules\n.gitattributes\n";
inline constexpr std::string_view kExtensionIgnorePatterns =
    "*.jpg\n*.jpeg\n*.gif\n*.png\n*.wmv\n*.flv\n*.tar.gz\n*.zip\n";
inline constexpr std::string_view kCiIgnorePatterns =
    ".github/\n.circleci/\n.travis.yml\n.gitlab-ci.yml\nappveyor.yml\n.drone.yml\ncloudbuild.yaml\n"
    "codeship-services.yml\ncodeship-steps.yml\n";
inline constexpr std::string_view kExtraIgnorePatterns =
    "**/.goreleaser.yml\n**/.sops.yaml\n**/.flux.yaml\n";
inline constexpr std::string_view kSourceIgnoreFile = ".sourceignore";

// Immutable after construction; const methods are thread-safe.
class IgnoreMatcher {
 public:
  enum class Result { kNone, kIgnored, kIncluded };

  IgnoreMatcher() = default;

  // Flux's SourceIgnoreFilter for GitRepository/OCIRepository: reads every
  // `.sourceignore` below `root_dir` (not inside `.git`, not via symlinks),
  // appends `spec_ignore`; if that yields no rule at all, the VCS + extension
  // + CI + extra defaults apply, otherwise only the VCS list plus those rules.
  // Errors: kInternal/kNotFound when the tree cannot be read.
  static absl::StatusOr<IgnoreMatcher> ForGitRepository(
      const std::string& root_dir, const std::optional<std::string>& spec_ignore);

  // Rules of an ignore file located in `dir` ("" = root, "a/b" otherwise).
  void AddDirectoryPatterns(std::string_view dir, std::string_view text);
  // Root-scoped rules that win over every ignore file (spec.ignore).
  void AddOverridePatterns(std::string_view text);
  // Root-scoped rules that lose to every ignore file (defaults).
  void AddBasePatterns(std::string_view text);

  // Verdict for `path` itself (relative, slash-separated, no trailing slash),
  // ignoring whether an ancestor directory is excluded.
  Result MatchSelf(std::string_view path, bool is_dir) const;

  // True when `path` or one of its ancestor directories is excluded.
  bool IsIgnored(std::string_view path, bool is_dir) const;

  // True when no rule at all has been added.
  bool empty() const;

 private:
  enum class Layer { kBase = 0, kDirectory = 1, kOverride = 2 };
  struct PatternList {
    Layer layer;
    std::string base;  // "" or "a/b"
    int depth;         // components in base
    std::vector<IgnorePattern> patterns;
  };
  void AddList(Layer layer, std::string_view dir, std::string_view text);

  // Highest precedence first.
  std::vector<PatternList> lists_;
};

}  // namespace fluxcpp::artifact
