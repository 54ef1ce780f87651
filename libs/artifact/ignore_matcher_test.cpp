#include "libs/artifact/ignore_matcher.h"

#include <catch2/catch.hpp>

#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::artifact {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST_CASE("IgnoreMatcher: last rule wins, excluded dirs cannot be re-included", "[ignore]") {
  IgnoreMatcher m;
  m.AddDirectoryPatterns("", "*.log\n!keep.log\nbuild/\n!build/keep.txt\n");
  CHECK(m.IsIgnored("a.log", false));
  CHECK_FALSE(m.IsIgnored("keep.log", false));
  CHECK(m.MatchSelf("keep.log", false) == IgnoreMatcher::Result::kIncluded);
  CHECK(m.IsIgnored("build", true));
  CHECK(m.IsIgnored("build/keep.txt", false));  // git: parent excluded
  CHECK(m.MatchSelf("build/keep.txt", false) == IgnoreMatcher::Result::kIncluded);
  CHECK(m.MatchSelf("other.txt", false) == IgnoreMatcher::Result::kNone);
}

TEST_CASE("IgnoreMatcher: deeper files win, override beats files, base loses", "[ignore]") {
  IgnoreMatcher m;
  m.AddBasePatterns("*.png\n");
  m.AddDirectoryPatterns("", "*.txt\n!*.png\n");
  m.AddDirectoryPatterns("sub", "!*.txt\n");
  m.AddOverridePatterns("sub/secret.txt\n");
  CHECK(m.IsIgnored("a.txt", false));
  CHECK_FALSE(m.IsIgnored("sub/a.txt", false));
  CHECK(m.IsIgnored("sub/secret.txt", false));
  CHECK_FALSE(m.IsIgnored("a.png", false));  // root file re-includes over the base rule
  // The nested file does not apply outside its directory.
  CHECK(m.IsIgnored("other/a.txt", false));
  CHECK(m.IsIgnored("subx/a.txt", false));
}

TEST_CASE("ForGitRepository applies Flux's default exclusions without user rules", "[ignore]") {
  TempDir dir;
  auto m = IgnoreMatcher::ForGitRepository(dir.path(), std::nullopt);
  REQUIRE(m.ok());
  CHECK(m->IsIgnored(".git", true));
  CHECK(m->IsIgnored(".gitignore", false));
  CHECK(m->IsIgnored("img/logo.png", false));
  CHECK(m->IsIgnored(".github", true));
  CHECK(m->IsIgnored(".github/workflows/ci.yaml", false));
  CHECK(m->IsIgnored("deep/dir/.sops.yaml", false));
  CHECK(m->IsIgnored("release.tar.gz", false));
  CHECK_FALSE(m->IsIgnored("deploy/app.yaml", false));
  CHECK_FALSE(m->IsIgnored(".sourceignore", false));
  CHECK_FALSE(m->IsIgnored("github", true));

  // An empty spec.ignore (or one with only comments) keeps the defaults.
  auto m2 = IgnoreMatcher::ForGitRepository(dir.path(), std::string("# nothing\n\n"));
  REQUIRE(m2.ok());
  CHECK(m2->IsIgnored("logo.png", false));
}

TEST_CASE("ForGitRepository: .sourceignore replaces the non-VCS defaults", "[ignore]") {
  TempDir dir;
  WriteFile(dir.Join(".sourceignore"), "# only docs\ndocs/\n");
  WriteFile(dir.Join("apps/.sourceignore"), "*.tmp\n");
  WriteFile(dir.Join(".git/.sourceignore"), "everything\n");  // never read
  auto m = IgnoreMatcher::ForGitRepository(dir.path(), std::nullopt);
  REQUIRE(m.ok());
  CHECK(m->IsIgnored("docs", true));
  CHECK_FALSE(m->IsIgnored("logo.png", false));  // defaults no longer apply
  CHECK_FALSE(m->IsIgnored(".github", true));
  CHECK(m->IsIgnored(".gitignore", false));  // VCS list always applies
  CHECK(m->IsIgnored(".git", true));
  CHECK(m->IsIgnored("apps/x.tmp", false));
  CHECK_FALSE(m->IsIgnored("x.tmp", false));
  CHECK_FALSE(m->IsIgnored("everything", false));
}

TEST_CASE("ForGitRepository: spec.ignore alone replaces defaults and overrides files", "[ignore]") {
  TempDir dir;
  WriteFile(dir.Join(".sourceignore"), "*.yaml\n");
  auto m = IgnoreMatcher::ForGitRepository(dir.path(), std::string("/*\n!/deploy\n"));
  REQUIRE(m.ok());
  CHECK(m->IsIgnored("README.md", false));
  CHECK(m->IsIgnored("src", true));
  CHECK_FALSE(m->IsIgnored("deploy", true));
  CHECK(m->IsIgnored("deploy/app.yaml", false));  // .sourceignore still applies below
  CHECK_FALSE(m->IsIgnored("deploy/notes.md", false));

  TempDir plain;
  auto only_spec = IgnoreMatcher::ForGitRepository(plain.path(), std::string("*.md\n"));
  REQUIRE(only_spec.ok());
  CHECK(only_spec->IsIgnored("a.md", false));
  CHECK_FALSE(only_spec->IsIgnored("a.png", false));
  CHECK(only_spec->IsIgnored(".gitmodules", false));
}

}  // namespace
}  // namespace fluxcpp::artifact
