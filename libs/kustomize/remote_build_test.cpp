// The engine's side of remote targets, with a fake RemoteFetcher (no network):
// dispatch of URLs, load restrictions inside a checkout, nested remote bases.
#include <catch2/catch.hpp>

#include "libs/core/testing/temp_dir.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "libs/kustomize/build.h"

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;

namespace {

using fluxcpp::testing::TempDir;

void WriteFileIn(const TempDir& dir, const std::string& rel, const std::string& text) {
  fluxcpp::testing::WriteFile(dir.Join(rel), text);
}

// Serves "repositories" from directories: CloneSpec + "@" + ref -> dir.
class FakeFetcher : public kz::RemoteFetcher {
 public:
  std::map<std::string, std::string> repos;
  std::map<std::string, std::string> files;
  std::vector<std::string> cloned;  // what CloneRepo was asked for
  std::vector<std::string> fetched;

  absl::StatusOr<std::string> CloneRepo(const kz::RepoSpec& spec) override {
    std::string key = spec.CloneSpec() + "@" + spec.ref;
    cloned.push_back(key);
    auto it = repos.find(key);
    if (it == repos.end()) return absl::NotFoundError(absl::StrCat("couldn't find remote ref ", spec.ref));
    return it->second;
  }
  absl::StatusOr<std::string> FetchFile(const std::string& url) override {
    fetched.push_back(url);
    auto it = files.find(url);
    if (it == files.end()) return absl::FailedPreconditionError("HTTP Error: status code 404 (Not Found)");
    return it->second;
  }
};

const char kCm[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v\n";

std::string Names(const std::vector<fluxcpp::object::Value>& objs) {
  std::string out;
  for (const auto& o : objs) out += o["metadata"]["name"].get<std::string>() + ";";
  return out;
}

}  // namespace

TEST_CASE("a git base is built from its checkout") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "repo/base/kustomization.yaml", "resources:\n- cm.yaml\nnamePrefix: base-\n");
  WriteFileIn(d, "repo/base/cm.yaml", kCm);
  WriteFileIn(d, "app/kustomization.yaml", "resources:\n- file:///srv/repo.git//base?ref=v1\nnamePrefix: app-\n");
  FakeFetcher f;
  f.repos["file:///srv/repo.git@v1"] = d.Join("repo");
  kz::BuildOptions opts;
  opts.remote = &f;
  auto out = kz::Build(d.Join("app"), opts);
  REQUIRE(out.ok());
  CHECK(Names(*out) == "app-base-cm;");
  CHECK(f.fetched.empty());  // file:// is never fetched over http
  // Flux mode: the checkout lies outside the load bound and is still readable.
  opts.root = d.Join("app");
  out = kz::Build(d.Join("app"), opts);
  REQUIRE(out.ok());
  CHECK(Names(*out) == "app-base-cm;");
}

TEST_CASE("an https entry is tried as a file first, then as a repository") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "repo/deploy/kustomization.yaml", "resources:\n- cm.yaml\n");
  WriteFileIn(d, "repo/deploy/cm.yaml", kCm);
  WriteFileIn(d, "app/kustomization.yaml",
          "resources:\n- https://example.com/x.yaml\n- https://github.com/org/repo//deploy?ref=main\n");
  FakeFetcher f;
  f.files["https://example.com/x.yaml"] = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n";
  f.repos["https://github.com/org/repo@main"] = d.Join("repo");
  kz::BuildOptions opts;
  opts.remote = &f;
  opts.reorder = kz::Reorder::kNone;
  auto out = kz::Build(d.Join("app"), opts);
  REQUIRE(out.ok());
  CHECK(Names(*out) == "s;cm;");
  CHECK(f.fetched == std::vector<std::string>{"https://example.com/x.yaml", "https://github.com/org/repo//deploy?ref=main"});
  CHECK(f.cloned == std::vector<std::string>{"https://github.com/org/repo@main"});
}

TEST_CASE("an http error on a plain file URL is reported as such") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "app/kustomization.yaml", "resources:\n- https://example.com/missing.yaml\n");
  FakeFetcher f;
  kz::BuildOptions opts;
  opts.remote = &f;
  auto out = kz::Build(d.Join("app"), opts);
  REQUIRE_FALSE(out.ok());
  CHECK(std::string(out.status().message()).find("HTTP Error: status code 404") != std::string::npos);
  CHECK(f.cloned.empty());
}

TEST_CASE("a remote base may reference further remote bases; self-reference is a cycle") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "a/base/kustomization.yaml", "resources:\n- file:///srv/b.git//lib?ref=v2\nnameSuffix: -a\n");
  WriteFileIn(d, "b/lib/kustomization.yaml", "resources:\n- cm.yaml\n");
  WriteFileIn(d, "b/lib/cm.yaml", kCm);
  WriteFileIn(d, "app/kustomization.yaml", "resources:\n- file:///srv/a.git//base?ref=v1\n");
  FakeFetcher f;
  f.repos["file:///srv/a.git@v1"] = d.Join("a");
  f.repos["file:///srv/b.git@v2"] = d.Join("b");
  kz::BuildOptions opts;
  opts.remote = &f;
  auto out = kz::Build(d.Join("app"), opts);
  REQUIRE(out.ok());
  CHECK(Names(*out) == "cm-a;");

  WriteFileIn(d, "b/lib/kustomization.yaml", "resources:\n- file:///srv/b.git//lib?ref=v2\n");
  out = kz::Build(d.Join("app"), opts);
  REQUIRE_FALSE(out.ok());
  CHECK(std::string(out.status().message()).find("cycle detected") != std::string::npos);
}

TEST_CASE("a remote base cannot leave its checkout") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\n");
  WriteFileIn(d, "outside/kustomization.yaml", "resources:\n- ../secret.yaml\n");
  WriteFileIn(d, "app/kustomization.yaml", "resources:\n- file:///srv/repo.git//base\n");
  FakeFetcher f;
  f.repos["file:///srv/repo.git@"] = d.Join("repo");
  kz::BuildOptions opts;
  opts.remote = &f;

  SECTION("a file outside the checkout") {
    WriteFileIn(d, "repo/base/kustomization.yaml", "resources:\n- ../../secret.yaml\n");
    auto out = kz::Build(d.Join("app"), opts);
    REQUIRE_FALSE(out.ok());
    CHECK(std::string(out.status().message()).find("security;") != std::string::npos);
  }
  SECTION("a base outside the checkout") {
    WriteFileIn(d, "repo/base/kustomization.yaml", "resources:\n- ../../outside\n");
    auto out = kz::Build(d.Join("app"), opts);
    REQUIRE_FALSE(out.ok());
    CHECK(std::string(out.status().message()).find("must be within the repo") != std::string::npos);
  }
  SECTION("a symlink out of the checkout") {
    WriteFileIn(d, "repo/base/kustomization.yaml", "resources:\n- ../link\n");
    fs::create_directory_symlink(d.Join("outside"), d.Join("repo/link"));
    auto out = kz::Build(d.Join("app"), opts);
    REQUIRE_FALSE(out.ok());
    CHECK(std::string(out.status().message()).find("must be within the repo") != std::string::npos);
  }
  SECTION("a repo path with ..") {
    WriteFileIn(d, "app/kustomization.yaml", "resources:\n- file:///srv/repo.git//../..\n");
    auto out = kz::Build(d.Join("app"), opts);
    REQUIRE_FALSE(out.ok());
    CHECK(std::string(out.status().message()).find("url path exits repo") != std::string::npos);
    CHECK(f.cloned.empty());
  }
  SECTION("a repo path symlinked out of the checkout") {
    fs::create_directories(d.Join("repo"));
    fs::create_directory_symlink(d.Join("outside"), d.Join("repo/base"));
    auto out = kz::Build(d.Join("app"), opts);
    REQUIRE_FALSE(out.ok());
    CHECK(std::string(out.status().message()).find("outside of repo") != std::string::npos);
  }
  SECTION("a path missing in the repository") {
    fs::create_directories(d.Join("repo"));
    auto out = kz::Build(d.Join("app"), opts);
    REQUIRE_FALSE(out.ok());
    CHECK(std::string(out.status().message()).find("path 'base' does not exist") != std::string::npos);
  }
}

TEST_CASE("fetcher errors name the URL's repository") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "app/kustomization.yaml", "components:\n- file:///srv/repo.git//comp?ref=nope\n");
  FakeFetcher f;
  kz::BuildOptions opts;
  opts.remote = &f;
  auto out = kz::Build(d.Join("app"), opts);
  REQUIRE_FALSE(out.ok());
  CHECK(std::string(out.status().message()).find("couldn't find remote ref nope") != std::string::npos);
}
