#include "libs/core/path_safety.h"

#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace fluxcpp {

std::string CleanPath(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path.front() == '/';
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(absl::string_view(path.data(), path.size()), '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!out.empty() && out.back() != "..") {
        out.pop_back();
      } else if (!rooted) {
        out.emplace_back(part);
      }
      continue;
    }
    out.emplace_back(part);
  }
  std::string joined = absl::StrJoin(out, "/");
  if (rooted) return "/" + joined;
  return joined.empty() ? "." : joined;
}

bool IsSafeRelativePath(std::string_view relative) {
  if (relative.empty() || relative.front() == '/') return false;
  if (relative.find('\0') != std::string_view::npos) return false;
  for (absl::string_view part : absl::StrSplit(absl::string_view(relative.data(), relative.size()), '/')) {
    if (part == "..") return false;
  }
  return true;
}

absl::StatusOr<std::string> SecureJoin(const std::string& root, std::string_view unsafe) {
  if (root.empty() || root.front() != '/') return absl::InvalidArgumentError("secure join root must be absolute");
  std::string clean_root = CleanPath(root);
  // Components still to walk; symlink targets are pushed back in front.
  std::vector<std::string> pending;
  for (absl::string_view part : absl::StrSplit(absl::string_view(unsafe.data(), unsafe.size()), '/', absl::SkipEmpty())) pending.emplace_back(part);
  std::vector<std::string> resolved;  // components below root
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.erase(pending.begin());
    if (part == ".") continue;
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    std::string candidate = clean_root + "/" + absl::StrJoin(resolved, "/");
    if (!resolved.empty()) candidate += "/";
    candidate += part;
    struct stat st;
    if (lstat(candidate.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      if (++links > 255) return absl::InvalidArgumentError("secure join: too many symlinks");
      char buf[4096];
      ssize_t n = readlink(candidate.c_str(), buf, sizeof(buf) - 1);
      if (n < 0) return absl::InternalError("secure join: readlink failed");
      std::string target(buf, static_cast<size_t>(n));
      if (!target.empty() && target.front() == '/') resolved.clear();
      std::vector<std::string> expanded;
      for (absl::string_view t : absl::StrSplit(target, '/', absl::SkipEmpty())) expanded.emplace_back(t);
      pending.insert(pending.begin(), expanded.begin(), expanded.end());
      continue;
    }
    resolved.push_back(std::move(part));
  }
  if (resolved.empty()) return clean_root;
  return clean_root + "/" + absl::StrJoin(resolved, "/");
}

}  // namespace fluxcpp
