// The CLI's remote path end to end: `fluxcpp kustomize build` and
// `fluxcpp build kustomization` on an overlay with a file:// git base (through
// the fluxcpp-remote helper), against `kubectl kustomize`.
#include "tools/fluxcpp/helper_fetcher.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "libs/core/testing/temp_dir.h"
#include "libs/git/testing/git_servers.h"

namespace fs = std::filesystem;
using fluxcpp::testing::RunCommand;
using fluxcpp::testing::TempDir;
using fluxcpp::testing::WriteFile;
using fluxcpp::git::testing::RunGit;

namespace {

std::string Bin(const std::string& name) {
  const char* dir = std::getenv("FLUXCPP_BIN_DIR");
  REQUIRE(dir != nullptr);
  return std::string(dir) + "/" + name;
}

std::string MakeRepo(const TempDir& t) {
  const std::string work = t.Join("work");
  fs::create_directories(work);
  RunGit(work, {"init", "-q", "-b", "main"});
  WriteFile(work + "/base/kustomization.yaml", "resources:\n- svc.yaml\ncommonLabels:\n  tier: web\n");
  WriteFile(work + "/base/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n");
  RunGit(work, {"add", "-A"});
  RunGit(work, {"commit", "-q", "-m", "v1"});
  RunGit(work, {"tag", "v1"});
  RunGit(t.path(), {"clone", "-q", "--bare", work, t.Join("repo.git")});
  return t.Join("repo.git");
}

}  // namespace

TEST_CASE("fluxcpp kustomize build fetches a git base through the helper") {
  TempDir t("fluxcpp-remote");
  const std::string repo = MakeRepo(t);
  WriteFile(t.Join("o/kustomization.yaml"), "resources:\n- file://" + repo + "//base?ref=v1\nnamePrefix: o-\n");
  auto ours = RunCommand({Bin("fluxcpp"), "kustomize", "build", t.Join("o")}, "", "", {}, true);
  INFO(ours.output);
  REQUIRE(ours.exit_code == 0);
  CHECK(ours.output.find("name: o-web") != std::string::npos);
  if (RunCommand({"kubectl", "version", "--client"}, "", "", {}, true).exit_code == 0) {
    auto kubectl = RunCommand({"kubectl", "kustomize", t.Join("o")}, "", "", {}, true);
    REQUIRE(kubectl.exit_code == 0);
    CHECK(ours.output == kubectl.output);
  }
  // A repo spec as DIR, as `kubectl kustomize <url>`.
  auto direct = RunCommand({Bin("fluxcpp"), "kustomize", "build", "file://" + repo + "//base?ref=v1"}, "", "", {}, true);
  REQUIRE(direct.exit_code == 0);
  CHECK(direct.output.find("name: web") != std::string::npos);
  if (RunCommand({"kubectl", "version", "--client"}, "", "", {}, true).exit_code == 0) {
    auto kubectl = RunCommand({"kubectl", "kustomize", "file://" + repo + "//base?ref=v1"}, "", "", {}, true);
    REQUIRE(kubectl.exit_code == 0);
    CHECK(direct.output == kubectl.output);
  }
  auto refused = RunCommand({Bin("fluxcpp"), "kustomize", "build", "--no-remote-bases", t.Join("o")});
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("remote resources are disabled") != std::string::npos);

  auto flux = RunCommand({Bin("fluxcpp"), "build", "kustomization", "app", "--path", t.Join("o")}, "", "", {}, true);
  INFO(flux.output);
  REQUIRE(flux.exit_code == 0);
  CHECK(flux.output.find("name: o-web") != std::string::npos);
  CHECK(flux.output.find("kustomize.toolkit.fluxcd.io/name: app") != std::string::npos);
}

TEST_CASE("helper errors keep their code and message; clones are cached and removed") {
  TempDir t("fluxcpp-remote");
  const std::string repo = MakeRepo(t);
  std::string dir;
  {
    fluxcpp::cli::HelperFetcher f(Bin("fluxcpp-remote"));
    auto spec = fluxcpp::kustomize::ParseRepoSpec("file://" + repo + "//base?ref=v1");
    REQUIRE(spec.ok());
    auto a = f.CloneRepo(*spec);
    REQUIRE(a.ok());
    CHECK(fs::exists(*a + "/base/svc.yaml"));
    auto b = f.CloneRepo(*spec);
    REQUIRE(b.ok());
    CHECK(*a == *b);
    CHECK(f.clones() == 1);
    dir = *a;
    auto bad = fluxcpp::kustomize::ParseRepoSpec("file://" + repo + "//base?ref=v7");
    REQUIRE(bad.ok());
    auto missing = f.CloneRepo(*bad);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().code() == absl::StatusCode::kNotFound);
    CHECK(std::string(missing.status().message()).find("couldn't find remote ref v7") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir));
  fluxcpp::cli::HelperFetcher none(t.Join("no-such-helper"));
  auto r = none.FetchFile("https://example.com/x.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).find("no-such-helper") != std::string::npos);
}
