// Remote bases end to end: a local bare repository served over file://,
// built by the engine with the real fetcher and compared byte for byte with
// `kubectl kustomize` (which runs git itself), and http(s) files from a local
// server.
#include "libs/kustomize_remote/fetcher.h"

#include <httplib.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include "libs/core/testing/temp_dir.h"
#include "libs/git/testing/git_servers.h"
#include "libs/kustomize/build.h"

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;
namespace kr = fluxcpp::kustomize_remote;
using fluxcpp::testing::RunCommand;
using fluxcpp::testing::TempDir;
using fluxcpp::testing::WriteFile;
using fluxcpp::git::testing::RunGit;

namespace {

const char kBaseKust[] =
    "resources:\n- deploy.yaml\ncommonLabels:\n  app: web\nconfigMapGenerator:\n- name: settings\n  literals:\n  - "
    "mode=tagged\n";
const char kDeploy[] =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n"
    "      - name: web\n        image: nginx:1.25\n        envFrom:\n        - configMapRef:\n            name: settings\n";

// A bare repository <dir>/repo.git: tag v1.0.0 holds base/ and other/; main
// then moves on (base/ says mode=main), so the ref decides what is built.
std::string MakeRepo(const TempDir& t) {
  const std::string work = t.Join("work");
  fs::create_directories(work);
  RunGit(work, {"init", "-q", "-b", "main"});
  WriteFile(work + "/base/kustomization.yaml", kBaseKust);
  WriteFile(work + "/base/deploy.yaml", kDeploy);
  WriteFile(work + "/other/kustomization.yaml", "resources:\n- ../base\nnameSuffix: -other\n");
  RunGit(work, {"add", "-A"});
  RunGit(work, {"commit", "-q", "-m", "v1"});
  RunGit(work, {"tag", "v1.0.0"});
  std::string kust = kBaseKust;
  kust.replace(kust.find("mode=tagged"), 11, "mode=main");
  WriteFile(work + "/base/kustomization.yaml", kust);
  RunGit(work, {"commit", "-q", "-am", "main moves on"});
  RunGit(t.path(), {"clone", "-q", "--bare", work, t.Join("repo.git")});
  return t.Join("repo.git");
}

std::string Kubectl(const std::string& dir) {
  auto r = RunCommand({"kubectl", "kustomize", dir}, "", "", {}, /*discard_stderr=*/true);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return r.output;
}

std::string Ours(const std::string& dir, kz::RemoteFetcher* f) {
  kz::BuildOptions opts;
  opts.remote = f;
  auto out = kz::Build(dir, opts);
  INFO(out.status().ToString());
  REQUIRE(out.ok());
  return kz::ToYaml(*out);
}

bool HaveKubectl() { return RunCommand({"kubectl", "version", "--client"}, "", "", {}, true).exit_code == 0; }

}  // namespace

TEST_CASE("file:// remote base at a tag matches kubectl kustomize byte for byte") {
  TempDir t("kustomize-remote");
  const std::string repo = MakeRepo(t);
  WriteFile(t.Join("overlay/kustomization.yaml"),
            "resources:\n- file://" + repo + "//base?ref=v1.0.0\n- cm.yaml\nnamePrefix: ov-\nnamespace: apps\n"
            "images:\n- name: nginx\n  newTag: \"1.27\"\n");
  WriteFile(t.Join("overlay/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\ndata:\n  a: b\n");
  kr::FetcherOptions fo;
  fo.temp_dir = t.Join("clones");
  fs::create_directories(fo.temp_dir);
  std::string ours;
  {
    kr::Fetcher f(fo);
    ours = Ours(t.Join("overlay"), &f);
    CHECK(f.clones() == 1);
  }
  CHECK(fs::is_empty(fo.temp_dir));  // the clone is gone with the fetcher
  CHECK(ours.find("mode=tagged") == std::string::npos);  // generator hashes the data; check via kubectl below
  if (!HaveKubectl()) {
    WARN("kubectl not found; byte comparison skipped");
    return;
  }
  CHECK(ours == Kubectl(t.Join("overlay")));

  // Origins inside a remote base name the repository and ref.
  WriteFile(t.Join("meta/kustomization.yaml"),
            "resources:\n- file://" + repo + "//other?ref=v1.0.0\nbuildMetadata: [originAnnotations, "
            "transformerAnnotations]\nnamePrefix: m-\n");
  kr::Fetcher g;
  std::string meta = Ours(t.Join("meta"), &g);
  CHECK(meta.find("repo: file://" + repo) != std::string::npos);
  CHECK(meta == Kubectl(t.Join("meta")));
}

TEST_CASE("default ref, several bases of one repo and a nested base are cloned once") {
  TempDir t("kustomize-remote");
  const std::string repo = MakeRepo(t);
  WriteFile(t.Join("overlay/kustomization.yaml"),
            "resources:\n- file://" + repo + "//other?ref=v1.0.0\n- file://" + repo + "//base\n");
  kr::Fetcher f;
  kz::BuildOptions opts;
  opts.remote = &f;
  auto out = kz::Build(t.Join("overlay"), opts);
  REQUIRE(out.ok());
  // other@v1.0.0 (with its local ../base) and base at HEAD (main): two clones.
  CHECK(f.clones() == 2);
  std::string yaml = kz::ToYaml(*out);
  CHECK(yaml.find("web-other") != std::string::npos);
  CHECK(yaml.find("mode: main") != std::string::npos);
  CHECK(yaml.find("mode: tagged") != std::string::npos);
  if (HaveKubectl()) CHECK(yaml == Kubectl(t.Join("overlay")));
  WriteFile(t.Join("twice/kustomization.yaml"),
            "resources:\n- file://" + repo + "//other?ref=v1.0.0\n- file://" + repo + "//base?version=v1.0.0\n"
            "nameSuffix: -x\n");
  kr::Fetcher g;
  opts.remote = &g;
  auto twice = kz::Build(t.Join("twice"), opts);
  // Same repo and ref: one clone; the duplicate ConfigMap ids then clash as in kustomize.
  CHECK(g.clones() == 1);
  REQUIRE_FALSE(twice.ok());
}

TEST_CASE("remote errors: unknown ref, missing repository, missing path, escape") {
  TempDir t("kustomize-remote");
  const std::string repo = MakeRepo(t);
  kr::Fetcher f;
  auto build_error = [&](const std::string& entry) {
    WriteFile(t.Join("o/kustomization.yaml"), "resources:\n- " + entry + "\n");
    kz::BuildOptions opts;
    opts.remote = &f;
    auto out = kz::Build(t.Join("o"), opts);
    REQUIRE_FALSE(out.ok());
    return std::string(out.status().message());
  };
  std::string msg = build_error("file://" + repo + "//base?ref=v9");
  CHECK(msg.find("couldn't find remote ref v9") != std::string::npos);
  CHECK(msg.find("file://" + repo) != std::string::npos);
  msg = build_error("file://" + t.Join("nope.git") + "//base");
  CHECK(msg.find("file://" + t.Join("nope.git")) != std::string::npos);
  msg = build_error("file://" + repo + "//missing?ref=v1.0.0");
  CHECK(msg.find("path 'missing' does not exist") != std::string::npos);
  msg = build_error("file://" + repo + "//../..?ref=v1.0.0");
  CHECK(msg.find("url path exits repo") != std::string::npos);
}

TEST_CASE("http files are fetched and parsed as resources") {
  httplib::Server server;
  server.Get("/cm.yaml", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\ndata:\n  x: \"1\"\n", "text/plain");
  });
  server.Get("/moved.yaml", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/cm.yaml"); });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread th([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  TempDir t("kustomize-remote");
  WriteFile(t.Join("o/kustomization.yaml"), "resources:\n- " + base + "/cm.yaml\nnamePrefix: p-\n");
  kr::Fetcher f;
  std::string ours = Ours(t.Join("o"), &f);
  CHECK(ours.find("name: p-fetched") != std::string::npos);
  if (HaveKubectl()) CHECK(ours == Kubectl(t.Join("o")));
  auto moved = f.FetchFile(base + "/moved.yaml");
  REQUIRE(moved.ok());
  CHECK(moved->find("fetched") != std::string::npos);

  WriteFile(t.Join("o/kustomization.yaml"), "resources:\n- " + base + "/missing.yaml\n");
  kz::BuildOptions opts;
  opts.remote = &f;
  auto out = kz::Build(t.Join("o"), opts);
  REQUIRE_FALSE(out.ok());
  CHECK(std::string(out.status().message()).find("HTTP Error: status code 404 (Not Found)") != std::string::npos);
  server.stop();
  th.join();
}
