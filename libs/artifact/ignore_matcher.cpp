#include "libs/artifact/ignore_matcher.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "libs/artifact/absl_compat.h"
#include "libs/core/path_safety.h"

namespace fluxcpp::artifact {

namespace fs = std::filesystem;

void IgnoreMatcher::AddList(Layer layer, std::string_view dir, std::string_view text) {
  PatternList list;
  list.layer = layer;
  list.base = dir.empty() || dir == "." ? "" : CleanPath(dir);
  list.depth = list.base.empty()
                   ? 0
                   : static_cast<int>(std::count(list.base.begin(), list.base.end(), '/')) + 1;
  list.patterns = ParseIgnorePatterns(text);
  if (list.patterns.empty()) return;
  // Keep lists ordered by precedence: layer, then depth (deeper first), then
  // later additions before earlier ones of the same rank.
  auto pos = std::find_if(lists_.begin(), lists_.end(), [&](const PatternList& other) {
    if (other.layer != list.layer) return other.layer < list.layer;
    return other.depth <= list.depth;
  });
  lists_.insert(pos, std::move(list));
}

void IgnoreMatcher::AddDirectoryPatterns(std::string_view dir, std::string_view text) {
  AddList(Layer::kDirectory, dir, text);
}
void IgnoreMatcher::AddOverridePatterns(std::string_view text) {
  AddList(Layer::kOverride, "", text);
}
void IgnoreMatcher::AddBasePatterns(std::string_view text) { AddList(Layer::kBase, "", text); }

bool IgnoreMatcher::empty() const { return lists_.empty(); }

IgnoreMatcher::Result IgnoreMatcher::MatchSelf(std::string_view path, bool is_dir) const {
  for (const PatternList& list : lists_) {
    if (!list.base.empty()) {
      // Only files in an ancestor directory of `path` apply.
      if (path.size() <= list.base.size() || path.substr(0, list.base.size()) != list.base ||
          path[list.base.size()] != '/') {
        continue;
      }
    }
    for (auto it = list.patterns.rbegin(); it != list.patterns.rend(); ++it) {
      if (it->Matches(path, is_dir, list.base))
        return it->negated() ? Result::kIncluded : Result::kIgnored;
    }
  }
  return Result::kNone;
}

bool IgnoreMatcher::IsIgnored(std::string_view path, bool is_dir) const {
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', slash + 1)) {
    if (MatchSelf(path.substr(0, slash), true) == Result::kIgnored) return true;
  }
  return MatchSelf(path, is_dir) == Result::kIgnored;
}

namespace {

absl::Status CollectSourceIgnores(const fs::path& root, const fs::path& dir, const std::string& rel,
                                  std::vector<std::pair<std::string, std::string>>& out) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(*it);
  if (ec)
    return absl::InternalError(
        absl::StrCat("failed to read directory '", rel.empty() ? "." : rel, "': ", ec.message()));
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    const std::string child_rel = rel.empty() ? name : rel + "/" + name;
    auto status = entry.symlink_status(ec);
    if (ec) continue;
    if (fs::is_directory(status)) {
      if (name == ".git") continue;
      absl::Status st = CollectSourceIgnores(root, entry.path(), child_rel, out);
      if (!st.ok()) return st;
    } else if (fs::is_regular_file(status) && name == kSourceIgnoreFile) {
      std::ifstream in(entry.path(), std::ios::binary);
      if (!in) return absl::InternalError(absl::StrCat("failed to read '", child_rel, "'"));
      std::ostringstream text;
      text << in.rdbuf();
      out.emplace_back(rel, text.str());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<IgnoreMatcher> IgnoreMatcher::ForGitRepository(
    const std::string& root_dir, const std::optional<std::string>& spec_ignore) {
  std::vector<std::pair<std::string, std::string>> files;
  absl::Status st = CollectSourceIgnores(root_dir, root_dir, "", files);
  if (!st.ok()) {
    return absl::Status(
        st.code(),
        absl::StrCat("failed to load source ignore patterns from repository: ", st.message()));
  }
  IgnoreMatcher user;
  for (const auto& [dir, text] : files) user.AddDirectoryPatterns(dir, text);
  if (spec_ignore.has_value()) user.AddOverridePatterns(*spec_ignore);

  IgnoreMatcher matcher = std::move(user);
  if (matcher.empty()) {
    matcher.AddBasePatterns(absl::StrCat(AV(kVcsIgnorePatterns), AV(kExtensionIgnorePatterns),
                                         AV(kCiIgnorePatterns), AV(kExtraIgnorePatterns)));
  } else {
    matcher.AddBasePatterns(kVcsIgnorePatterns);
  }
  return matcher;
}

}  // namespace fluxcpp::artifact
