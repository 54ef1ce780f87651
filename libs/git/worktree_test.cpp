#include "libs/git/worktree.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "libs/core/testing/temp_dir.h"
#include "libs/git/clone.h"
#include "libs/git/testing/git_servers.h"

namespace fluxcpp::git {
namespace {

namespace fs = std::filesystem;
using fluxcpp::testing::ReadFile;
using fluxcpp::testing::TempDir;
using fluxcpp::testing::WriteFile;
using testing::RunGit;

// Everything observable about a checkout: type, exec bit, content/target.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const std::string rel = fs::relative(it->path(), dir).string();
    struct stat st;
    REQUIRE(::lstat(it->path().c_str(), &st) == 0);
    if (S_ISLNK(st.st_mode)) {
      out[rel] = "link:" + fs::read_symlink(it->path()).string();
    } else if (S_ISDIR(st.st_mode)) {
      out[rel] = "dir";
    } else {
      out[rel] = std::string((st.st_mode & 0100) ? "exec:" : "file:") + ReadFile(it->path().string());
    }
  }
  return out;
}

ino_t Inode(const std::string& path) {
  struct stat st;
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_ino;
}

struct Repo {
  TempDir root{"fluxcpp-worktree"};
  std::string src = root.Join("src");
  Repo() {
    fs::create_directories(src);
    RunGit(src, {"init", "-q", "-b", "main"});
  }
  void Commit() {
    RunGit(src, {"add", "-A"});
    RunGit(src, {"commit", "-q", "--allow-empty", "-m", "change"});
  }
};

absl::StatusOr<CloneResult> CloneInto(const Repo& repo, const std::string& cache, const std::string& dest,
                                      bool persistent, std::vector<std::string> sparse = {}) {
  CloneOptions opts;
  opts.url = repo.src;
  opts.reference.branch = "main";
  opts.cache_dir = cache;
  opts.persistent_worktree = persistent;
  opts.sparse_checkout = std::move(sparse);
  return Clone(opts, dest);
}

TEST_CASE("A persistent work tree follows commits like a fresh checkout", "[git][worktree]") {
  Repo repo;
  WriteFile(repo.src + "/keep/untouched.yaml", "same\n");
  WriteFile(repo.src + "/app/config.yaml", "v: 1\n");
  WriteFile(repo.src + "/app/old/gone.yaml", "bye\n");
  WriteFile(repo.src + "/run.sh", "#!/bin/sh\n", 0644);
  WriteFile(repo.src + "/becomes-dir", "file\n");
  WriteFile(repo.src + "/dir-becomes-file/x", "x\n");
  fs::create_symlink("app/config.yaml", repo.src + "/link");
  repo.Commit();

  TempDir state;
  const std::string worktree = state.Join("wt");
  auto first = CloneInto(repo, state.Join("cache.git"), worktree, true);
  REQUIRE(first.ok());
  CHECK(first->blob_ids.count("keep/untouched.yaml") == 1);
  CHECK(first->blob_ids.count("link") == 0);  // symlinks are not regular files
  CHECK(first->blob_ids.at("app/config.yaml") ==
        RunGit(repo.src, {"rev-parse", "HEAD:app/config.yaml"}).substr(0, 40));
  const ino_t untouched = Inode(worktree + "/keep/untouched.yaml");

  WriteFile(repo.src + "/app/config.yaml", "v: 2\n");
  fs::remove_all(repo.src + "/app/old");
  ::chmod((repo.src + "/run.sh").c_str(), 0755);
  fs::remove(repo.src + "/becomes-dir");
  WriteFile(repo.src + "/becomes-dir/inner.yaml", "inner\n");
  fs::remove_all(repo.src + "/dir-becomes-file");
  WriteFile(repo.src + "/dir-becomes-file", "now a file\n");
  fs::remove(repo.src + "/link");
  fs::create_symlink("run.sh", repo.src + "/link");
  WriteFile(repo.src + "/new/deep/file.yaml", "new\n");
  repo.Commit();

  auto second = CloneInto(repo, state.Join("cache.git"), worktree, true);
  REQUIRE(second.ok());
  CHECK(second->commit != first->commit);
  TempDir fresh;
  auto scratch = CloneInto(repo, fresh.Join("cache.git"), fresh.Join("co"), false);
  REQUIRE(scratch.ok());
  CHECK(Snapshot(worktree) == Snapshot(fresh.Join("co")));
  CHECK_FALSE(fs::exists(worktree + "/app/old"));  // emptied directories are pruned
  CHECK(Inode(worktree + "/keep/untouched.yaml") == untouched);  // not rewritten
  CHECK(second->blob_ids == scratch->blob_ids);

  // Unknown state (e.g. an interrupted update): rebuilt from scratch.
  WriteFile(worktree + "/stray.txt", "not from git\n");
  fs::remove(state.Join("cache.git/fluxcpp-worktree"));
  auto rebuilt = CloneInto(repo, state.Join("cache.git"), worktree, true);
  REQUIRE(rebuilt.ok());
  CHECK(Snapshot(worktree) == Snapshot(fresh.Join("co")));

  // Another sparse checkout: rebuilt with only the listed directories.
  auto sparse = CloneInto(repo, state.Join("cache.git"), worktree, true, {"app"});
  REQUIRE(sparse.ok());
  CHECK(Snapshot(worktree) == std::map<std::string, std::string>{{"app", "dir"}, {"app/config.yaml", "file:v: 2\n"}});
  WriteFile(repo.src + "/app/config.yaml", "v: 3\n");
  WriteFile(repo.src + "/keep/untouched.yaml", "outside the sparse paths\n");
  repo.Commit();
  REQUIRE(CloneInto(repo, state.Join("cache.git"), worktree, true, {"app"}).ok());
  CHECK(Snapshot(worktree) == std::map<std::string, std::string>{{"app", "dir"}, {"app/config.yaml", "file:v: 3\n"}});
}

TEST_CASE("Worktree state files round-trip and reject garbage", "[git][worktree]") {
  TempDir dir;
  const std::string file = dir.Join("state");
  CHECK_FALSE(ReadWorktreeState(file).has_value());
  WorktreeState state{std::string(40, 'a'), "/some/dir", {"deploy", "apps/x"}};
  REQUIRE(WriteWorktreeState(file, state).ok());
  auto read = ReadWorktreeState(file);
  REQUIRE(read.has_value());
  CHECK(*read == state);
  WriteFile(file, "fluxcpp-worktree/1\nshort\n/dir\n");
  CHECK_FALSE(ReadWorktreeState(file).has_value());
  WriteFile(file, "other\n" + std::string(40, 'a') + "\n/dir\n");
  CHECK_FALSE(ReadWorktreeState(file).has_value());
}

TEST_CASE("ClearDirectory empties and creates directories", "[git][worktree]") {
  TempDir dir;
  WriteFile(dir.Join("x/a/b"), "1");
  WriteFile(dir.Join("x/c"), "2");
  REQUIRE(ClearDirectory(dir.Join("x")).ok());
  CHECK(fs::is_empty(dir.Join("x")));
  REQUIRE(ClearDirectory(dir.Join("y/z")).ok());
  CHECK(fs::is_directory(dir.Join("y/z")));
}

}  // namespace
}  // namespace fluxcpp::git
