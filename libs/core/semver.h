#pragma once
// Semantic versions and range constraints with the semantics of
// github.com/Masterminds/semver/v3 (what Flux uses for GitRepository
// spec.ref.semver, HelmChart version ranges, OCIRepository semver refs and
// ImagePolicy semver ranges), checked against shared/conformance/semver.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace fluxcpp::semver {

// Immutable value type; thread-safe.
class Version {
 public:
  // NewVersion (the library default, "loose"): optional leading 'v', missing
  // minor/patch allowed ("1.2" -> 1.2.0), leading zeros in numbers tolerated;
  // numeric prerelease identifiers must not have leading zeros.
  static absl::StatusOr<Version> Parse(std::string_view text);
  // StrictNewVersion: exactly MAJOR.MINOR.PATCH[-pre][+meta], no 'v', no
  // leading zeros.
  static absl::StatusOr<Version> ParseStrict(std::string_view text);
  // fluxcd/pkg version.ParseVersion, used on candidate tags: the text minus
  // one leading 'v' must be strict; the result keeps the original text.
  static absl::StatusOr<Version> ParseTag(std::string_view text);

  uint64_t major() const { return major_; }
  uint64_t minor() const { return minor_; }
  uint64_t patch() const { return patch_; }
  const std::string& prerelease() const { return prerelease_; }
  const std::string& metadata() const { return metadata_; }
  // The text this version was parsed from.
  const std::string& original() const { return original_; }

  // Canonical "M.m.p[-pre][+meta]".
  std::string String() const;
  // -1, 0, 1; build metadata is ignored; prerelease identifiers compare
  // numerically when both are numeric, numeric before alphanumeric.
  int Compare(const Version& other) const;
  bool operator<(const Version& other) const { return Compare(other) < 0; }
  // Precedence equality (metadata ignored), as Masterminds' Equal.
  bool Equals(const Version& other) const { return Compare(other) == 0; }

 private:
  uint64_t major_ = 0, minor_ = 0, patch_ = 0;
  std::string prerelease_, metadata_, original_;
};

// A parsed range expression: "||"-separated groups of comma- or
// space-separated comparators (=, !=, >, <, >=, <=, ~, ~>, ^, wildcards
// x/X/*, hyphen ranges "A - B"). Immutable after parsing; thread-safe.
class Constraints {
 public:
  // Errors: kInvalidArgument "improper constraint: <text>" and the like.
  static absl::StatusOr<Constraints> Parse(std::string_view text);

  // True when any group fully matches. Prerelease versions only match groups
  // containing a prerelease comparator, unless include_prerelease is set.
  bool Check(const Version& version) const;

  void set_include_prerelease(bool include) { include_prerelease_ = include; }
  // Canonical form: comparators space-joined, groups joined with " || ".
  std::string String() const;

  // Introspection (tests, diagnostics).
  size_t group_count() const { return groups_.size(); }
  size_t group_size(size_t group) const { return groups_[group].size(); }
  // Normalised operator ("=" for exact/tilde-or-equal, ">=" for "=>", ...).
  std::string op(size_t group, size_t index) const;
  const Version& version(size_t group, size_t index) const { return groups_[group][index].version; }

  struct Comparator {
    std::string func;  // operator as written ("", "=", "=>", "~>", ...)
    std::string orig;  // version text as written
    Version version;
    bool dirty = false, minor_dirty = false, patch_dirty = false;
  };

 private:
  std::vector<std::vector<Comparator>> groups_;
  std::vector<bool> group_has_prerelease_;
  bool include_prerelease_ = false;
};

}  // namespace fluxcpp::semver
