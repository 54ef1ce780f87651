#include "libs/kustomize/repo_spec.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace fluxcpp::kustomize {
namespace {

constexpr char kFile[] = "file://";
constexpr char kHttp[] = "http://";
constexpr char kHttps[] = "https://";
constexpr char kSsh[] = "ssh://";
constexpr int kAllSegments = -1;

// Rest of `s` after `prefix` (ASCII case-insensitive), or nullopt.
std::optional<std::string> TrimPrefixFold(const std::string& s, const std::string& prefix) {
  if (s.size() < prefix.size() || absl::AsciiStrToLower(s.substr(0, prefix.size())) != prefix) return std::nullopt;
  return s.substr(prefix.size());
}

// Go's url.QueryUnescape; nullopt on a bad escape.
std::optional<std::string> Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        return std::nullopt;
      }
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Go's time.ParseDuration restricted to non-negative values; nullopt when invalid.
std::optional<std::chrono::milliseconds> ParseGoDuration(const std::string& s) {
  if (s == "0") return std::chrono::milliseconds(0);
  if (s.empty()) return std::nullopt;
  double total_ms = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double n = 0;
    try {
      n = std::stod(s.substr(start, i - start));
    } catch (...) {
      return std::nullopt;
    }
    size_t ustart = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string unit = s.substr(ustart, i - ustart);
    double scale = 0;
    if (unit == "ns") scale = 1e-6;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") scale = 1e-3;
    else if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1e3;
    else if (unit == "m") scale = 60e3;
    else if (unit == "h") scale = 3600e3;
    else return std::nullopt;
    total_ms += n * scale;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(total_ms));
}

std::optional<bool> ParseGoBool(const std::string& s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  return std::nullopt;
}

// ref/version, timeout, submodules; a malformed query yields the defaults.
void ParseQuery(const std::string& query, RepoSpec& spec) {
  std::vector<std::pair<std::string, std::string>> values;
  if (!query.empty()) {
    for (absl::string_view part : absl::StrSplit(query, '&')) {
      if (part.empty()) continue;
      if (absl::StrContains(part, ";")) return;  // Go rejects semicolons: all defaults
      std::string key(part), value;
      if (size_t eq = key.find('='); eq != std::string::npos) {
        value = key.substr(eq + 1);
        key.resize(eq);
      }
      auto k = Unescape(key);
      auto v = Unescape(value);
      if (!k || !v) return;
      values.emplace_back(*k, *v);
    }
  }
  auto get = [&](const std::string& key) -> std::string {
    for (const auto& [k, v] : values) {
      if (k == key) return v;
    }
    return "";
  };
  spec.ref = get("version");
  if (std::string r = get("ref"); !r.empty()) spec.ref = r;
  if (std::string t = get("timeout"); !t.empty()) {
    if (auto d = ParseGoDuration(t)) {
      spec.timeout = std::chrono::duration_cast<std::chrono::seconds>(*d);
    } else if (!t.empty() && std::all_of(t.begin() + (t[0] == '-' || t[0] == '+' ? 1 : 0), t.end(),
                                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
               t.size() < 10 && t != "-" && t != "+") {
      spec.timeout = std::chrono::seconds(std::stoi(t));
    }
  }
  if (std::string s = get("submodules"); !s.empty()) {
    if (auto b = ParseGoBool(s)) spec.submodules = *b;
  }
}

bool IsStandardGithubHost(const std::string& s) {
  std::string lower = absl::AsciiStrToLower(s.substr(0, 11));
  return lower == "github.com/" || lower == "github.com:";
}

int FindPathSeparator(const std::string& host_path, bool accept_scp) {
  size_t sep = host_path.find('/');
  if (accept_scp) {
    size_t colon = host_path.find(':');
    // In scp style the colon separates host and path unless a '/' comes first.
    if (sep == std::string::npos || (colon != std::string::npos && colon > 0 && colon < sep)) sep = colon;
  }
  return sep == std::string::npos ? -1 : static_cast<int>(sep);
}

// Splits `n` into host (scheme + user + host + separator) and the rest.
absl::Status ExtractHost(std::string n, std::string& host, std::string& rest) {
  if (auto r = TrimPrefixFold(n, "git::")) n = *r;  // go-getter's forced-git prefix, ignored
  std::string scheme;
  for (const char* prefix : {kSsh, kHttps, kHttp, kFile}) {
    if (auto r = TrimPrefixFold(n, prefix)) {
      scheme = prefix;
      n = *r;
      break;
    }
  }
  std::string username;
  if (!n.empty() && std::isalpha(static_cast<unsigned char>(n[0]))) {
    size_t i = 1;
    while (i < n.size() && (std::isalnum(static_cast<unsigned char>(n[i])) || n[i] == '-')) ++i;
    if (i < n.size() && n[i] == '@') {
      username = n.substr(0, i + 1);
      n = n.substr(i + 1);
    }
  }
  bool github = IsStandardGithubHost(n);
  bool accept_scp = scheme.empty() && (!username.empty() || github);
  if (scheme.empty() && !accept_scp) return absl::InvalidArgumentError("failed to parse scheme");
  if (scheme == kFile) {
    host = scheme;
    rest = username + n;
    return absl::OkStatus();
  }
  std::string h = n;
  rest.clear();
  if (int sep = FindPathSeparator(n, accept_scp); sep >= 0) {
    h = n.substr(0, sep + 1);
    rest = n.substr(sep + 1);
  }
  if (github) {
    // GitHub hosts are normalised: ssh (explicit or by user name) -> scp style, else https.
    if (absl::StartsWith(scheme, kSsh) || !username.empty()) {
      scheme.clear();
      h = "github.com:";
    } else {
      scheme = kHttps;
      username.clear();
      h = "github.com/";
    }
  }
  if (h.empty()) return absl::InvalidArgumentError("failed to parse host segment");
  host = scheme + username + h;
  return absl::OkStatus();
}

// Go's filepath.Clean(path) starts with "..".
bool ExitsRepo(const std::string& kust_root) {
  std::string p = kust_root;
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  std::string clean = std::filesystem::path(p.empty() ? "." : p).lexically_normal().string();
  return clean == ".." || absl::StartsWith(clean, "../");
}

absl::Status ParsePathParts(const std::string& n, int default_segments, std::string& repo, std::string& root) {
  bool ok = false;
  if (size_t git = n.find("_git/"); git != std::string::npos) {
    std::vector<std::string> sub = absl::StrSplit(n.substr(git + 5), '/');
    repo = n.substr(0, git + 5) + sub[0];
    root = absl::StrJoin(sub.begin() + 1, sub.end(), "/");
    ok = true;
  } else if (size_t dbl = n.find("//"); dbl != std::string::npos) {
    repo = n.substr(0, dbl);
    root = n.substr(dbl + 2);
    ok = true;
  } else if (size_t dot = n.find(".git"); dot != std::string::npos) {
    repo = n.substr(0, dot + 4);
    root = n.substr(dot + 4);
    ok = true;
  } else if (default_segments == kAllSegments) {
    repo = n;
    root.clear();
    ok = true;
  } else {
    std::vector<std::string> seg = absl::StrSplit(n, '/');
    if (static_cast<int>(seg.size()) >= default_segments) {
      repo = absl::StrJoin(seg.begin(), seg.begin() + default_segments, "/");
      root = absl::StrJoin(seg.begin() + default_segments, seg.end(), "/");
      ok = true;
    }
  }
  if (!ok || repo.empty()) return absl::InvalidArgumentError("failed to parse repo path segment");
  if (ExitsRepo(root)) return absl::InvalidArgumentError(absl::StrCat("url path exits repo: ", n));
  if (!root.empty() && root[0] == '/') root.erase(0, 1);
  return absl::OkStatus();
}

}  // namespace

bool IsHttpUrl(const std::string& path) {
  return TrimPrefixFold(path, kHttp).has_value() || TrimPrefixFold(path, kHttps).has_value();
}

absl::StatusOr<RepoSpec> ParseRepoSpec(const std::string& url) {
  RepoSpec spec;
  spec.raw = url;
  if (!url.empty() && url[0] == '/') return absl::InvalidArgumentError(absl::StrCat("uri looks like abs path: ", url));
  std::string n = url, query;
  if (size_t q = n.find('?'); q != std::string::npos) {
    query = n.substr(q + 1);
    n.resize(q);
  }
  ParseQuery(query, spec);
  std::string rest;
  if (absl::Status s = ExtractHost(n, spec.host, rest); !s.ok()) return s;
  int segments = absl::StartsWith(spec.host, kFile) ? kAllSegments : 2;
  if (absl::Status s = ParsePathParts(rest, segments, spec.repo_path, spec.kust_root_path); !s.ok()) return s;
  return spec;
}

}  // namespace fluxcpp::kustomize
