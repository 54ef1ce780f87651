#include "libs/artifact/ignore_pattern.h"

#include "absl/strings/str_split.h"
#include "libs/artifact/absl_compat.h"
#include "libs/artifact/wildmatch.h"

namespace fluxcpp::artifact {
namespace {

// Drops trailing spaces not escaped by a backslash (git's trim_trailing_spaces).
std::string_view TrimTrailingSpaces(std::string_view s) {
  size_t last_space = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ') {
      if (last_space == std::string_view::npos) last_space = i;
    } else if (c == '\\') {
      ++i;
      if (i >= s.size()) return s;
      last_space = std::string_view::npos;
    } else {
      last_space = std::string_view::npos;
    }
  }
  return last_space == std::string_view::npos ? s : s.substr(0, last_space);
}

size_t SimpleLength(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] != '*' && s[i] != '?' && s[i] != '[' && s[i] != '\\') ++i;
  return i;
}

}  // namespace

std::optional<IgnorePattern> IgnorePattern::Parse(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty() || line.front() == '#') return std::nullopt;
  // No real path is longer; bounding rules bounds the matcher's memo table.
  if (line.size() > kMaxRuleLength) return std::nullopt;
  line = TrimTrailingSpaces(line);
  IgnorePattern p;
  p.text_ = std::string(line);
  std::string_view body = line;
  if (!body.empty() && body.front() == '!') {
    p.negated_ = true;
    body.remove_prefix(1);
  }
  // git computes the literal prefix before dropping the trailing '/'.
  size_t simple = SimpleLength(body);
  if (!body.empty() && body.back() == '/') {
    body.remove_suffix(1);
    p.dir_only_ = true;
  }
  if (body.empty()) return std::nullopt;
  p.basename_only_ = body.find('/') == std::string_view::npos;
  p.literal_prefix_ = std::min(simple, body.size());
  p.pattern_ = std::string(body);
  return p;
}

bool IgnorePattern::Matches(std::string_view path, bool is_dir, std::string_view base) const {
  if (dir_only_ && !is_dir) return false;
  if (basename_only_) {
    size_t slash = path.rfind('/');
    std::string_view basename = slash == std::string_view::npos ? path : path.substr(slash + 1);
    return Wildmatch(pattern_, basename, kWildmatchNone);
  }
  std::string_view pattern = pattern_;
  size_t prefix = literal_prefix_;
  if (!pattern.empty() && pattern.front() == '/') {
    pattern.remove_prefix(1);
    --prefix;
  }
  std::string_view name = path;
  if (!base.empty()) {
    if (path.size() < base.size() + 1 || path.substr(0, base.size()) != base ||
        path[base.size()] != '/') {
      return false;
    }
    name = path.substr(base.size() + 1);
  }
  if (prefix > 0) {
    // git compares the literal prefix first and wildmatches only the rest, which
    // also makes a "**" right after the prefix count as a leading "**".
    if (prefix > name.size() || pattern.substr(0, prefix) != name.substr(0, prefix)) return false;
    pattern.remove_prefix(prefix);
    name.remove_prefix(prefix);
    if (pattern.empty() && name.empty()) return true;
  }
  return Wildmatch(pattern, name, kWildmatchPathname);
}

std::vector<IgnorePattern> ParseIgnorePatterns(std::string_view text) {
  std::vector<IgnorePattern> out;
  for (absl::string_view line : absl::StrSplit(AV(text), '\n')) {
    if (auto p = IgnorePattern::Parse(SV(line))) out.push_back(std::move(*p));
  }
  return out;
}

}  // namespace fluxcpp::artifact
