#include "libs/git/worktree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "libs/git/libgit2_support.h"

namespace fluxcpp::git {
namespace {

namespace fs = std::filesystem;
using DiffPtr = Libgit2Ptr<git_diff, git_diff_free>;
using BlobPtr = Libgit2Ptr<git_blob, git_blob_free>;

constexpr std::string_view kStateMagic = "fluxcpp-worktree/1";

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(what + " '" + path + "': " + std::strerror(errno));
}

bool SafeRelativePath(std::string_view path) {
  if (path.empty()) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (part.size() == 4 && (part[0] == '.') && (part[1] | 0x20) == 'g' && (part[2] | 0x20) == 'i' &&
        (part[3] | 0x20) == 't')
      return false;
    start = end + 1;
  }
  return true;
}

// Removes whatever is at `abs` (file, symlink or directory tree).
absl::Status RemovePath(const std::string& abs) {
  struct stat st;
  if (::lstat(abs.c_str(), &st) != 0) return errno == ENOENT ? absl::OkStatus() : Errno("failed to stat", abs);
  if (S_ISDIR(st.st_mode)) {
    std::error_code ec;
    fs::remove_all(abs, ec);
    if (ec) return absl::InternalError("failed to remove '" + abs + "': " + ec.message());
    return absl::OkStatus();
  }
  if (::unlink(abs.c_str()) != 0 && errno != ENOENT) return Errno("failed to remove", abs);
  return absl::OkStatus();
}

// Removes the now-empty parents of `rel` below `dir`.
void PruneEmptyParents(const std::string& dir, std::string rel) {
  while (true) {
    size_t slash = rel.rfind('/');
    if (slash == std::string::npos) return;
    rel.resize(slash);
    if (::rmdir((dir + "/" + rel).c_str()) != 0) return;  // not empty (or gone)
  }
}

// Creates the parent directories of `rel` below `dir`; every existing
// component must be a real directory (never a symlink).
absl::Status MakeParents(const std::string& dir, const std::string& rel) {
  size_t pos = 0;
  while ((pos = rel.find('/', pos)) != std::string::npos) {
    const std::string abs = dir + "/" + rel.substr(0, pos);
    struct stat st;
    if (::lstat(abs.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        // A leftover non-directory (cannot happen after the deletion pass
        // unless the tree is inconsistent): replace it.
        absl::Status s = RemovePath(abs);
        if (!s.ok()) return s;
        if (::mkdir(abs.c_str(), 0755) != 0) return Errno("failed to create directory", abs);
      }
    } else if (errno == ENOENT) {
      if (::mkdir(abs.c_str(), 0755) != 0) return Errno("failed to create directory", abs);
    } else {
      return Errno("failed to stat", abs);
    }
    ++pos;
  }
  return absl::OkStatus();
}

absl::Status WriteBlob(git_repository* repo, const git_diff_file& file, const std::string& abs) {
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, repo, &file.id) < 0)
    return absl::InternalError("failed to read blob for '" + abs + "': " + LastLibgit2Error(-1));
  BlobPtr blob(raw);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  const size_t size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  if (file.mode == GIT_FILEMODE_LINK) {
    if (::symlink(std::string(data, size).c_str(), abs.c_str()) != 0) return Errno("failed to create symlink", abs);
    return absl::OkStatus();
  }
  const mode_t mode = file.mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644;
  int fd = ::open(abs.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Errno("failed to create", abs);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status s = Errno("failed to write", abs);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return Errno("failed to close", abs);
  return absl::OkStatus();
}

int CollectBlob(const char* root, const git_tree_entry* entry, void* payload) {
  const git_filemode_t mode = git_tree_entry_filemode(entry);
  if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
    auto* out = static_cast<std::unordered_map<std::string, std::string>*>(payload);
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(entry));
    out->emplace(std::string(root) + git_tree_entry_name(entry), std::string(hex));
  }
  return 0;
}

}  // namespace

std::optional<WorktreeState> ReadWorktreeState(const std::string& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::string magic;
  WorktreeState state;
  if (!std::getline(in, magic) || magic != kStateMagic || !std::getline(in, state.commit) ||
      !std::getline(in, state.dir))
    return std::nullopt;
  std::string line;
  while (std::getline(in, line)) state.sparse.push_back(line);
  if (state.commit.size() != GIT_OID_HEXSZ) return std::nullopt;
  return state;
}

absl::Status WriteWorktreeState(const std::string& file, const WorktreeState& state) {
  const std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << kStateMagic << "\n" << state.commit << "\n" << state.dir << "\n";
    for (const auto& s : state.sparse) out << s << "\n";
    if (!out.flush()) return absl::InternalError("failed to write '" + tmp + "'");
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) return Errno("failed to rename", tmp);
  return absl::OkStatus();
}

absl::Status ApplyTreeDiff(git_repository* repo, git_tree* from, git_tree* to, const std::string& dir,
                           const std::vector<std::string>& pathspec) {
  git_diff_options options;
  git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
  std::vector<char*> specs;
  for (const auto& p : pathspec) specs.push_back(const_cast<char*>(p.c_str()));
  if (!specs.empty()) options.pathspec = {specs.data(), specs.size()};
  git_diff* raw = nullptr;
  if (git_diff_tree_to_tree(&raw, repo, from, to, &options) < 0)
    return absl::InternalError("failed to diff trees: " + LastLibgit2Error(-1));
  DiffPtr diff(raw);
  const size_t n = git_diff_num_deltas(diff.get());
  // Pass 1: remove old paths (deleted, or replaced by another object).
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    if (d->status == GIT_DELTA_ADDED) continue;
    const std::string rel = d->old_file.path;
    if (!SafeRelativePath(rel)) return absl::InvalidArgumentError("unsafe path '" + rel + "' in tree");
    // A changed submodule commit keeps its (empty) directory.
    if (d->status == GIT_DELTA_MODIFIED && d->old_file.mode == GIT_FILEMODE_COMMIT &&
        d->new_file.mode == GIT_FILEMODE_COMMIT)
      continue;
    absl::Status s = RemovePath(dir + "/" + rel);
    if (!s.ok()) return s;
    if (d->status == GIT_DELTA_DELETED) PruneEmptyParents(dir, rel);
  }
  // Pass 2: write new content.
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff.get(), i);
    if (d->status == GIT_DELTA_DELETED) continue;
    const std::string rel = d->new_file.path;
    if (!SafeRelativePath(rel)) return absl::InvalidArgumentError("unsafe path '" + rel + "' in tree");
    const std::string abs = dir + "/" + rel;
    absl::Status s = MakeParents(dir, rel);
    if (!s.ok()) return s;
    if (d->new_file.mode == GIT_FILEMODE_COMMIT) {
      if (::mkdir(abs.c_str(), 0755) != 0 && errno != EEXIST) return Errno("failed to create directory", abs);
      continue;
    }
    s = WriteBlob(repo, d->new_file, abs);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ClearDirectory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError("failed to create '" + dir + "': " + ec.message());
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    fs::remove_all(entry.path(), ec);
    if (ec) return absl::InternalError("failed to remove '" + entry.path().string() + "': " + ec.message());
  }
  if (ec) return absl::InternalError("failed to list '" + dir + "': " + ec.message());
  return absl::OkStatus();
}

absl::StatusOr<std::unordered_map<std::string, std::string>> BlobIds(git_tree* tree) {
  std::unordered_map<std::string, std::string> out;
  if (git_tree_walk(tree, GIT_TREEWALK_PRE, CollectBlob, &out) < 0)
    return absl::InternalError("failed to walk tree: " + LastLibgit2Error(-1));
  return out;
}

}  // namespace fluxcpp::git
