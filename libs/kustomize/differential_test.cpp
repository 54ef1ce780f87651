// Differential test: builds generated kustomization trees with our engine and
// with `kubectl kustomize` (kustomize v5.5.0) and requires byte-identical
// output. Skipped when kubectl is not installed.

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "libs/kustomize/build.h"

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;

namespace {

bool HaveKubectl() { return fs::exists("/usr/bin/kubectl") || std::system("command -v kubectl >/dev/null 2>&1") == 0; }

std::string RunKubectl(const fs::path& dir, int* rc) {
  std::string cmd = "kubectl kustomize " + dir.string() + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  *rc = pclose(p);
  return out;
}

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A random base + overlay exercising generators, prefixes, labels, patches,
// images, replicas and name references.
void MakeTree(const fs::path& root, std::mt19937& rng) {
  auto pick = [&rng](std::initializer_list<const char*> xs) {
    std::vector<const char*> v(xs);
    return std::string(v[rng() % v.size()]);
  };
  std::string app = pick({"web", "api", "db-proxy", "worker"});
  Write(root / "base/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + app +
            "\n  labels:\n    app: " + app +
            "\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: " + app +
            "\n  template:\n    metadata:\n      labels:\n        app: " + app +
            "\n    spec:\n      containers:\n      - name: main\n        image: " +
            pick({"nginx:1.25", "ghcr.io/org/app@sha256:0123", "busybox"}) +
            "\n        env:\n        - name: A\n          value: \"" + pick({"1", "yes", "true", "x y", "08"}) +
            "\"\n        envFrom:\n        - configMapRef:\n            name: cfg\n        volumeMounts:\n"
            "        - name: s\n          mountPath: /s\n      volumes:\n      - name: s\n        secret:\n"
            "          secretName: creds\n");
  Write(root / "base/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + app +
                                    "\nspec:\n  selector:\n    app: " + app + "\n  ports:\n  - port: 80\n");
  Write(root / "base/kustomization.yaml",
        "resources:\n- deploy.yaml\n- svc.yaml\nconfigMapGenerator:\n- name: cfg\n  literals:\n  - K=" +
            pick({"v", "a long value with spaces that goes on and on and on beyond the eighty column limit", "1.5"}) +
            "\nsecretGenerator:\n- name: creds\n  literals:\n  - password=" + pick({"s3cr3t", "p"}) + "\n");
  std::string overlay = "resources:\n- ../base\nnamePrefix: " + pick({"dev-", "prod-"}) + "\nnamespace: " +
                        pick({"apps", "team-a"}) + "\ncommonLabels:\n  env: " + pick({"dev", "prod"}) +
                        "\nimages:\n- name: " + pick({"nginx", "busybox"}) + "\n  newTag: \"" + pick({"2.0", "latest"}) +
                        "\"\nreplicas:\n- name: " + app + "\n  count: " + std::to_string(rng() % 5) +
                        "\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n"
                        "      name: " + app + "\n    spec:\n      template:\n        spec:\n          containers:\n"
                        "          - name: sidecar\n            image: envoy\n";
  Write(root / "overlay/kustomization.yaml", overlay);
}

}  // namespace

TEST_CASE("differential against kubectl kustomize") {
  if (!HaveKubectl()) {
    WARN("kubectl not installed; skipping");
    return;
  }
  std::mt19937 rng(42);
  fs::path base = fs::temp_directory_path() / ("kustomize_diff_" + std::to_string(std::random_device{}()));
  for (int i = 0; i < 8; ++i) {
    fs::path root = base / std::to_string(i);
    MakeTree(root, rng);
    int rc = 0;
    std::string want = RunKubectl(root / "overlay", &rc);
    REQUIRE(rc == 0);
    auto got = kz::Build((root / "overlay").string(), kz::BuildOptions{});
    INFO("tree " << root.string());
    REQUIRE(got.ok());
    CHECK(kz::ToYaml(*got) == want);
  }
  fs::remove_all(base);
}
