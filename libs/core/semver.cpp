#include "libs/core/semver.h"

#include <regex>

namespace fluxcpp::semver {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

absl::Status Invalid(std::string_view text) {
  return absl::InvalidArgumentError("invalid semantic version: '" + std::string(text) + "'");
}

bool ParseU64(std::string_view digits, uint64_t& out) {
  out = 0;
  for (char c : digits) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (out > (UINT64_MAX - d) / 10) return false;
    out = out * 10 + d;
  }
  return true;
}

// Dot-separated identifiers of [0-9A-Za-z-]+; with `no_leading_zero`, numeric
// identifiers must not start with '0' (unless exactly "0").
bool ValidIdentifiers(std::string_view s, bool no_leading_zero) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) return false;
    for (char c : part) {
      if (!IsIdentChar(c)) return false;
    }
    if (no_leading_zero && AllDigits(part) && part.size() > 1 && part[0] == '0') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Splits "core[-pre][+meta]": the prerelease runs to the first '+'.
void SplitSuffixes(std::string_view text, std::string_view& core, std::string_view& pre,
                   std::string_view& meta, bool& has_pre, bool& has_meta) {
  size_t plus = text.find('+');
  has_meta = plus != std::string_view::npos;
  meta = has_meta ? text.substr(plus + 1) : std::string_view();
  std::string_view head = text.substr(0, plus);
  size_t dash = head.find('-');
  has_pre = dash != std::string_view::npos;
  pre = has_pre ? head.substr(dash + 1) : std::string_view();
  core = head.substr(0, dash);
}

int CompareNumber(uint64_t a, uint64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

int ComparePrePart(const std::string& s, const std::string& o) {
  if (s == o) return 0;
  if (s.empty()) return o.empty() ? 1 : -1;
  if (o.empty()) return 1;
  uint64_t si = 0, oi = 0;
  const bool s_num = AllDigits(s) && ParseU64(s, si);
  const bool o_num = AllDigits(o) && ParseU64(o, oi);
  if (!s_num && !o_num) return s > o ? 1 : -1;
  if (!o_num) return -1;  // numbers sort before strings
  if (!s_num) return 1;
  return si > oi ? 1 : -1;
}

std::vector<std::string> SplitDots(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

int ComparePrerelease(const std::string& a, const std::string& b) {
  std::vector<std::string> ap = SplitDots(a), bp = SplitDots(b);
  size_t n = std::max(ap.size(), bp.size());
  for (size_t i = 0; i < n; ++i) {
    int d = ComparePrePart(i < ap.size() ? ap[i] : "", i < bp.size() ? bp[i] : "");
    if (d != 0) return d;
  }
  return 0;
}

// "1.2.3" -> {"1","2","3"}; empty pieces kept (they fail the digit check).
std::vector<std::string_view> SplitDots(std::string_view core) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = core.find('.', start);
    parts.push_back(core.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

}  // namespace

absl::StatusOr<Version> Version::Parse(std::string_view text) {
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == 'v') rest.remove_prefix(1);
  std::string_view core, pre, meta;
  bool has_pre, has_meta;
  SplitSuffixes(rest, core, pre, meta, has_pre, has_meta);
  // core = digits ( "." digits ){0,2}
  std::vector<std::string_view> parts = SplitDots(core);
  if (parts.size() > 3) return Invalid(text);
  for (auto p : parts) {
    if (!AllDigits(p)) return Invalid(text);
  }
  if (has_pre && !ValidIdentifiers(pre, /*no_leading_zero=*/true)) return Invalid(text);
  if (has_meta && !ValidIdentifiers(meta, false)) return Invalid(text);
  Version v;
  uint64_t* fields[3] = {&v.major_, &v.minor_, &v.patch_};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!ParseU64(parts[i], *fields[i])) return Invalid(text);
  }
  v.prerelease_ = std::string(pre);
  v.metadata_ = std::string(meta);
  v.original_ = std::string(text);
  return v;
}

absl::StatusOr<Version> Version::ParseStrict(std::string_view text) {
  std::string_view core, pre, meta;
  bool has_pre, has_meta;
  SplitSuffixes(text, core, pre, meta, has_pre, has_meta);
  std::vector<std::string_view> parts = SplitDots(core);
  if (parts.size() != 3) return Invalid(text);
  Version v;
  uint64_t* fields[3] = {&v.major_, &v.minor_, &v.patch_};
  for (size_t i = 0; i < 3; ++i) {
    if (!AllDigits(parts[i]) || (parts[i].size() > 1 && parts[i][0] == '0')) return Invalid(text);
    if (!ParseU64(parts[i], *fields[i])) return Invalid(text);
  }
  if (has_pre && !ValidIdentifiers(pre, true)) return Invalid(text);
  if (has_meta && !ValidIdentifiers(meta, false)) return Invalid(text);
  v.prerelease_ = std::string(pre);
  v.metadata_ = std::string(meta);
  v.original_ = std::string(text);
  return v;
}

absl::StatusOr<Version> Version::ParseTag(std::string_view text) {
  std::string_view bare = text;
  if (!bare.empty() && bare.front() == 'v') bare.remove_prefix(1);
  auto strict = ParseStrict(bare);
  if (!strict.ok()) return Invalid(text);
  return Parse(text);
}

std::string Version::String() const {
  std::string out =
      std::to_string(major_) + "." + std::to_string(minor_) + "." + std::to_string(patch_);
  if (!prerelease_.empty()) out += "-" + prerelease_;
  if (!metadata_.empty()) out += "+" + metadata_;
  return out;
}

int Version::Compare(const Version& o) const {
  if (int d = CompareNumber(major_, o.major_); d != 0) return d;
  if (int d = CompareNumber(minor_, o.minor_); d != 0) return d;
  if (int d = CompareNumber(patch_, o.patch_); d != 0) return d;
  if (prerelease_.empty() && o.prerelease_.empty()) return 0;
  if (prerelease_.empty()) return 1;
  if (o.prerelease_.empty()) return -1;
  return ComparePrerelease(prerelease_, o.prerelease_);
}

// ---------------------------------------------------------------------------
// Constraints: a port of Masterminds' regex-driven parser, so that what is
// accepted (including quirks) is the same.

namespace {

// The constraint version syntax (cvRegex); 9 capture groups.
const char kCv[] = R"(v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?)"
                   R"((-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?)"
                   R"((\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?)";
// Operators, longest first so alternation order cannot matter.
const char kOps[] = R"((?:\^|~>|~|=<|<=|=>|>=|!=|<|>|=|))";
const char kWs[] = R"([\t\n\f\r ])";

struct Regexes {
  std::regex constraint;  // ^\s*(op)\s*(cv)\s*$
  std::regex range;       // \s*(cv)\s+-\s+(cv)\s*
  std::regex find;        // (op)\s*(cv)
  std::regex valid;       // whole AND-group syntax
};

const Regexes& GetRegexes() {
  static const Regexes* r = [] {
    const std::string cv = kCv, ops = kOps, ws = kWs;
    auto* out = new Regexes{
        std::regex("^" + ws + "*(" + ops + ")" + ws + "*(" + cv + ")" + ws + "*$"),
        std::regex(ws + "*(" + cv + ")" + ws + "+-" + ws + "+(" + cv + ")" + ws + "*"),
        std::regex("(" + ops + ")" + ws + "*(" + cv + ")"),
        std::regex("^(" + ws + "*(" + ops + ")" + ws + "*(" + cv + ")" + ws + "*)((?:" + ws +
                   "+|," + ws + "*)(" + ops + ")" + ws + "*(" + cv + ")" + ws + "*)*$"),
    };
    return out;
  }();
  return *r;
}

bool IsX(const std::string& s) { return s == "x" || s == "X" || s == "*"; }

std::string RewriteRange(const std::string& in) {
  const std::regex& re = GetRegexes().range;
  std::vector<std::smatch> matches;
  for (auto it = std::sregex_iterator(in.begin(), in.end(), re); it != std::sregex_iterator();
       ++it) {
    matches.push_back(*it);
  }
  std::string out = in;
  for (const auto& m : matches) {
    std::string replacement = ">= " + m[1].str() + ", <= " + m[11].str() + " ";
    size_t pos = out.find(m[0].str());
    if (pos != std::string::npos) out.replace(pos, m[0].length(), replacement);
  }
  return out;
}

absl::StatusOr<Constraints::Comparator> ParseComparator(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, GetRegexes().constraint)) {
    return absl::InvalidArgumentError("improper constraint: " + text);
  }
  Constraints::Comparator c;
  c.func = m[1].str();
  c.orig = m[2].str();
  std::string ver = c.orig;
  const std::string major = m[3].str(), minor = m[4].str(), patch = m[5].str(), pre = m[6].str();
  auto strip_dot = [](const std::string& s) { return s.empty() ? s : s.substr(1); };
  if (IsX(major) || major.empty()) {
    ver = "0.0.0" + pre;
    c.dirty = true;
  } else if (IsX(strip_dot(minor)) || minor.empty()) {
    c.minor_dirty = c.dirty = true;
    ver = major + ".0.0" + pre;
  } else if (IsX(strip_dot(patch)) || patch.empty()) {
    c.patch_dirty = c.dirty = true;
    ver = major + minor + ".0" + pre;
  }
  auto v = Version::Parse(ver);
  if (!v.ok()) return absl::InvalidArgumentError("constraint Parser Error");
  c.version = std::move(*v);
  return c;
}

// The check functions of Masterminds/semver (constraints.go).
bool CheckTilde(const Version& v, const Constraints::Comparator& c) {
  if (v.Compare(c.version) < 0) return false;
  const Version& k = c.version;
  if (k.major() == 0 && k.minor() == 0 && k.patch() == 0 && !c.minor_dirty && !c.patch_dirty)
    return true;
  if (v.major() != k.major()) return false;
  if (v.minor() != k.minor() && !c.minor_dirty) return false;
  return true;
}

bool CheckComparator(const Version& v, const Constraints::Comparator& c, bool include_pre) {
  if (!v.prerelease().empty() && !include_pre) return false;
  const Version& k = c.version;
  const std::string& f = c.func;
  if (f.empty() || f == "=") {
    if (c.dirty) return CheckTilde(v, c);
    return v.Equals(k);
  }
  if (f == "!=") {
    if (c.dirty) {
      if (k.major() != v.major()) return true;
      if (k.minor() != v.minor() && !c.minor_dirty) return true;
      if (c.minor_dirty) return false;
      if (k.patch() != v.patch() && !c.patch_dirty) return true;
      if (c.patch_dirty) {
        if (!v.prerelease().empty() || !k.prerelease().empty()) {
          return ComparePrerelease(v.prerelease(), k.prerelease()) != 0;
        }
        return false;
      }
    }
    return !v.Equals(k);
  }
  if (f == ">") {
    if (!c.dirty) return v.Compare(k) == 1;
    if (v.major() > k.major()) return true;
    if (v.major() < k.major()) return false;
    if (c.minor_dirty) return false;
    if (c.patch_dirty) return v.minor() > k.minor();
    return v.Compare(k) == 1;
  }
  if (f == "<") return v.Compare(k) < 0;
  if (f == ">=" || f == "=>") return v.Compare(k) >= 0;
  if (f == "<=" || f == "=<") {
    if (!c.dirty) return v.Compare(k) <= 0;
    if (v.major() > k.major()) return false;
    if (v.major() == k.major() && v.minor() > k.minor() && !c.minor_dirty) return false;
    return true;
  }
  if (f == "~" || f == "~>") return CheckTilde(v, c);
  if (f == "^") {
    if (v.Compare(k) < 0) return false;
    if (k.major() > 0 || c.minor_dirty) return v.major() == k.major();
    if (k.major() == 0 && v.major() > 0) return false;
    if (k.minor() > 0 || c.patch_dirty) return v.minor() == k.minor();
    if (k.minor() == 0 && v.minor() > 0) return false;
    return k.patch() == v.patch();
  }
  return false;
}

}  // namespace

absl::StatusOr<Constraints> Constraints::Parse(std::string_view text) {
  const Regexes& re = GetRegexes();
  std::string rewritten = RewriteRange(std::string(text));
  Constraints out;
  size_t start = 0;
  while (true) {
    size_t bar = rewritten.find("||", start);
    std::string segment =
        rewritten.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (!std::regex_match(segment, re.valid)) {
      return absl::InvalidArgumentError("improper constraint: " + segment);
    }
    std::vector<Comparator> group;
    bool has_pre = false;
    for (auto it = std::sregex_iterator(segment.begin(), segment.end(), re.find);
         it != std::sregex_iterator(); ++it) {
      auto c = ParseComparator(it->str());
      if (!c.ok()) return c.status();
      if (!c->version.prerelease().empty()) has_pre = true;
      group.push_back(std::move(*c));
    }
    if (group.empty()) {
      auto c = ParseComparator(segment);
      if (!c.ok()) return c.status();
      if (!c->version.prerelease().empty()) has_pre = true;
      group.push_back(std::move(*c));
    }
    out.groups_.push_back(std::move(group));
    out.group_has_prerelease_.push_back(has_pre);
    if (bar == std::string::npos) break;
    start = bar + 2;
  }
  return out;
}

bool Constraints::Check(const Version& version) const {
  for (size_t g = 0; g < groups_.size(); ++g) {
    bool all = true;
    for (const Comparator& c : groups_[g]) {
      if (!CheckComparator(version, c, include_prerelease_ || group_has_prerelease_[g])) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

std::string Constraints::String() const {
  std::string out;
  for (size_t g = 0; g < groups_.size(); ++g) {
    if (g > 0) out += " || ";
    for (size_t i = 0; i < groups_[g].size(); ++i) {
      if (i > 0) out += " ";
      out += groups_[g][i].func + groups_[g][i].orig;
    }
  }
  return out;
}

std::string Constraints::op(size_t group, size_t index) const {
  const std::string& f = groups_[group][index].func;
  if (f.empty()) return "=";
  if (f == "=>") return ">=";
  if (f == "=<") return "<=";
  if (f == "~>") return "~";
  return f;
}

}  // namespace fluxcpp::semver
