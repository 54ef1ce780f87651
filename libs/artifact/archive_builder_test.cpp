#include "libs/artifact/archive_builder.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "libs/artifact/gzip_reader.h"
#include "libs/artifact/tar_reader.h"
#include "libs/core/testing/temp_dir.h"
#include "libs/core/digest.h"

namespace fluxcpp::artifact {
namespace {

using testing::TempDir;
using testing::WriteFile;

struct Listed {
  std::string name;
  uint32_t mode;
  std::string data;
};

std::vector<Listed> List(const std::string& tgz) {
  StringSource src(tgz);
  GzipReader gz(src);
  TarReader tar(gz);
  std::vector<Listed> out;
  while (true) {
    auto next = tar.Next();
    REQUIRE(next.ok());
    if (!next->has_value()) return out;
    Listed l{(*next)->name, (*next)->mode, ""};
    char buf[4096];
    while (true) {
      auto n = tar.ReadData(buf, sizeof(buf));
      REQUIRE(n.ok());
      if (*n == 0) break;
      l.data.append(buf, *n);
    }
    out.push_back(l);
  }
}

std::vector<std::string> Names(const std::string& tgz) {
  std::vector<std::string> names;
  for (const auto& l : List(tgz)) names.push_back(l.name);
  return names;
}

void SetMtime(const std::string& path, time_t when) {
  struct timeval tv[2] = {{when, 0}, {when, 0}};
  REQUIRE(::lutimes(path.c_str(), tv) == 0);
}

void MakeTree(const TempDir& dir) {
  WriteFile(dir.Join("b.yaml"), "b: 1\n");
  WriteFile(dir.Join("a/z.txt"), "z\n");
  WriteFile(dir.Join("a/run.sh"), "#!/bin/sh\n", 0755);
  WriteFile(dir.Join("a.b"), "dot\n");
  WriteFile(dir.Join(".git/config"), "[core]\n");
  WriteFile(dir.Join("sub/.git/HEAD"), "ref\n");
  std::filesystem::create_directories(dir.Join("empty"));
  std::filesystem::create_symlink("b.yaml", dir.Join("link.yaml"));
  std::filesystem::create_symlink("/etc", dir.Join("a/etc-link"));
}

TEST_CASE("BuildTarGz: walk order, modes, skipped entries", "[archive]") {
  TempDir dir;
  MakeTree(dir);
  auto tgz = BuildTarGz(dir.path());
  REQUIRE(tgz.ok());
  auto listed = List(*tgz);
  std::vector<std::string> names;
  for (const auto& l : listed) names.push_back(l.name);
  // filepath.Walk order; no root entry, no .git, no symlinks.
  CHECK(names ==
        std::vector<std::string>{"a/", "a/run.sh", "a/z.txt", "a.b", "b.yaml", "empty/", "sub/"});
  CHECK(listed[0].mode == 0750);
  CHECK(listed[1].mode == 0700);
  CHECK(listed[2].mode == 0600);
  CHECK(listed[2].data == "z\n");
}

TEST_CASE("BuildTarGz is deterministic across mtimes, permissions and runs", "[archive]") {
  TempDir one, two;
  MakeTree(one);
  MakeTree(two);
  SetMtime(two.Join("b.yaml"), 1000000);
  SetMtime(two.Join("a"), 2000000);
  ::chmod(two.Join("a.b").c_str(), 0444);  // non-exec permission changes are normalised
  ::chmod(two.Join("a/run.sh").c_str(), 0711);
  auto first = BuildTarGz(one.path());
  auto again = BuildTarGz(one.path());
  auto other = BuildTarGz(two.path());
  REQUIRE(first.ok());
  REQUIRE(again.ok());
  REQUIRE(other.ok());
  CHECK(Sha256Hex(*first) == Sha256Hex(*again));
  CHECK(Sha256Hex(*first) == Sha256Hex(*other));

  WriteFile(two.Join("b.yaml"), "b: 2\n");
  auto changed = BuildTarGz(two.path());
  REQUIRE(changed.ok());
  CHECK(Sha256Hex(*first) != Sha256Hex(*changed));
}

TEST_CASE("BuildTarGz applies Flux's default exclusions", "[archive]") {
  TempDir dir;
  WriteFile(dir.Join("deploy/app.yaml"), "kind: Deployment\n");
  WriteFile(dir.Join("logo.png"), "png");
  WriteFile(dir.Join("docs/img/shot.jpg"), "jpg");
  WriteFile(dir.Join(".github/workflows/ci.yaml"), "on: push\n");
  WriteFile(dir.Join(".gitignore"), "*.o\n");
  WriteFile(dir.Join(".git/HEAD"), "ref\n");
  auto matcher = IgnoreMatcher::ForGitRepository(dir.path(), std::nullopt);
  REQUIRE(matcher.ok());
  auto tgz = BuildTarGz(dir.path(), FilterFrom(*matcher));
  REQUIRE(tgz.ok());
  CHECK(Names(*tgz) ==
        std::vector<std::string>{"deploy/", "deploy/app.yaml", "docs/", "docs/img/"});
}

TEST_CASE("BuildTarGz: a .sourceignore replaces the defaults", "[archive]") {
  TempDir dir;
  WriteFile(dir.Join("deploy/app.yaml"), "kind: Deployment\n");
  WriteFile(dir.Join("logo.png"), "png");
  WriteFile(dir.Join("notes.md"), "notes");
  WriteFile(dir.Join(".sourceignore"), "*.md\n");
  auto matcher = IgnoreMatcher::ForGitRepository(dir.path(), std::nullopt);
  REQUIRE(matcher.ok());
  auto tgz = BuildTarGz(dir.path(), FilterFrom(*matcher));
  REQUIRE(tgz.ok());
  CHECK(Names(*tgz) ==
        std::vector<std::string>{".sourceignore", "deploy/", "deploy/app.yaml", "logo.png"});
}

TEST_CASE("BuildTarGz prunes excluded directories", "[archive]") {
  TempDir dir;
  WriteFile(dir.Join("keep/a.txt"), "a");
  WriteFile(dir.Join("drop/b.txt"), "b");
  WriteFile(dir.Join("drop/keep.txt"), "c");
  IgnoreMatcher m;
  m.AddDirectoryPatterns("", "drop/\n!drop/keep.txt\n");
  auto tgz = BuildTarGz(dir.path(), FilterFrom(m));
  REQUIRE(tgz.ok());
  CHECK(Names(*tgz) == std::vector<std::string>{"keep/", "keep/a.txt"});
}

TEST_CASE("BuildTarGz output extracts with GNU tar", "[archive]") {
  TempDir dir, out;
  MakeTree(dir);
  auto tgz = BuildTarGz(dir.path());
  REQUIRE(tgz.ok());
  WriteFile(out.Join("x.tar.gz"), *tgz);
  auto r = testing::RunCommand({"tar", "-xzf", out.Join("x.tar.gz"), "-C", out.path()});
  REQUIRE(r.exit_code == 0);
  CHECK(testing::ReadFile(out.Join("a/z.txt")) == "z\n");
  CHECK(::access(out.Join("a/run.sh").c_str(), X_OK) == 0);
}

TEST_CASE("BuildTarGz reports a missing root", "[archive]") {
  CHECK(BuildTarGz("/nonexistent/fluxcpp").status().code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace fluxcpp::artifact

namespace fluxcpp::artifact {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Content identity as a Git blob id would give it: a digest of the bytes.
ArchiveCacheOptions HashingCache(const TempDir& tree, const std::string& cache_path) {
  return ArchiveCacheOptions{cache_path, [root = tree.path()](std::string_view rel) {
                               return Sha256Hex(ReadAll(root + "/" + std::string(rel)));
                             }};
}

absl::StatusOr<std::string> BuildCached(const std::string& root, const ArchiveCacheOptions& cache,
                                        const ArchiveFilter& filter = {}) {
  std::string out;
  StringSink sink(out);
  absl::Status s = WriteTarGz(root, filter, sink, &cache);
  if (!s.ok()) return s;
  return out;
}

TEST_CASE("Incremental archiving gives the bytes of a from-scratch build", "[archive]") {
  TempDir tree, state;
  for (int i = 0; i < 60; ++i) {
    WriteFile(tree.Join("d" + std::to_string(i % 4) + "/f" + std::to_string(i) + ".yaml"),
              "kind: ConfigMap\nindex: " + std::to_string(i) + "\n" + std::string(i * 50, 'x'));
  }
  WriteFile(tree.Join("big.bin"), std::string(3 << 20, 'b'));  // above the cached size limit
  WriteFile(tree.Join("run.sh"), "#!/bin/sh\n", 0755);
  const ArchiveCacheOptions cache = HashingCache(tree, state.Join("entries.cache"));

  auto first = BuildCached(tree.path(), cache);
  REQUIRE(first.ok());
  auto scratch = BuildTarGz(tree.path());
  REQUIRE(scratch.ok());
  CHECK(*first == *scratch);
  REQUIRE(std::filesystem::exists(state.Join("entries.cache")));

  // Change, add, delete, chmod, replace a file by a directory.
  WriteFile(tree.Join("d1/f1.yaml"), "changed\n");
  WriteFile(tree.Join("d9/new.yaml"), "new\n");
  std::filesystem::remove(tree.Join("d2/f2.yaml"));
  ::chmod(tree.Join("d3/f3.yaml").c_str(), 0755);
  std::filesystem::remove(tree.Join("run.sh"));
  WriteFile(tree.Join("run.sh/inner"), "now a directory\n");
  for (int round = 0; round < 2; ++round) {
    auto incremental = BuildCached(tree.path(), cache);
    REQUIRE(incremental.ok());
    auto fresh = BuildTarGz(tree.path());
    REQUIRE(fresh.ok());
    CHECK(*incremental == *fresh);
    CHECK(*incremental != *first);
  }
  // The filter applies to cached entries too.
  auto filtered = BuildCached(tree.path(), cache, [](std::string_view p, bool) { return p == "d0"; });
  auto filtered_fresh = BuildTarGz(tree.path(), [](std::string_view p, bool) { return p == "d0"; });
  REQUIRE(filtered.ok());
  REQUIRE(filtered_fresh.ok());
  CHECK(*filtered == *filtered_fresh);
}

TEST_CASE("Incremental archiving reuses cached entries by path, mode, size and identity", "[archive]") {
  TempDir tree, state;
  WriteFile(tree.Join("a.yaml"), "one\n");
  WriteFile(tree.Join("b.yaml"), "two\n");
  // An identity that ignores the content: the cache must then serve the old
  // bytes, which shows entries are reused rather than re-read.
  ArchiveCacheOptions lying{state.Join("c"), [](std::string_view rel) { return std::string("id-") + std::string(rel); }};
  auto before = BuildCached(tree.path(), lying);
  REQUIRE(before.ok());
  WriteFile(tree.Join("a.yaml"), "ONE\n");  // same size, same (lying) identity
  auto reused = BuildCached(tree.path(), lying);
  REQUIRE(reused.ok());
  CHECK(*reused == *before);
  WriteFile(tree.Join("a.yaml"), "one\n");    // honour the identity again
  WriteFile(tree.Join("b.yaml"), "three\n");  // size differs: recompressed
  auto after = BuildCached(tree.path(), lying);
  REQUIRE(after.ok());
  auto listed = List(*after);
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].data == "one\n");
  CHECK(listed[1].data == "three\n");
  // Files without identity are never cached.
  ArchiveCacheOptions none{state.Join("c2"), [](std::string_view) { return std::string(); }};
  REQUIRE(BuildCached(tree.path(), none).ok());
  WriteFile(tree.Join("a.yaml"), "ONE\n");
  auto fresh = BuildCached(tree.path(), none);
  REQUIRE(fresh.ok());
  CHECK(List(*fresh)[0].data == "ONE\n");
}

}  // namespace
}  // namespace fluxcpp::artifact
