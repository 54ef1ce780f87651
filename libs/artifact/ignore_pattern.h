#pragma once
// One .gitignore/.sourceignore rule, parsed and matched exactly as git's
// dir.c does (parse_path_pattern, match_basename, match_pathname).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fluxcpp::artifact {

class IgnorePattern {
 public:
  // Longer rules are dropped (PATH_MAX is 4096, so they could never match).
  static constexpr size_t kMaxRuleLength = 4096;

  // Parses one line. Returns nullopt for blank lines, comments ("#...") and
  // rules that can match nothing or are longer than kMaxRuleLength. Trailing spaces are dropped
  // unless escaped with '\'; one trailing '\r' is dropped.
  static std::optional<IgnorePattern> Parse(std::string_view line);

  // True when the rule matches `path` (slash-separated, relative to the root
  // of the tree) given the rule came from a file in directory `base` ("" for
  // the root; no trailing slash). The caller only asks for paths under `base`.
  // Ancestors are not considered here. Thread-safe (const).
  bool Matches(std::string_view path, bool is_dir, std::string_view base) const;

  bool negated() const { return negated_; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;     // the rule as written (after trimming), for diagnostics
  std::string pattern_;  // without '!' and trailing '/'
  bool negated_ = false;
  bool dir_only_ = false;
  bool basename_only_ = false;  // no '/' in the pattern: match the last component
  size_t literal_prefix_ = 0;   // leading characters without glob specials
};

// Parses a whole ignore file (lines split on '\n').
std::vector<IgnorePattern> ParseIgnorePatterns(std::string_view text);

}  // namespace fluxcpp::artifact
