#include "libs/kustomize/flux_generator.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "libs/kustomize/build.h"

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;
using fluxcpp::object::Value;

namespace {

fs::path MakeTemp() {
  std::random_device rd;
  fs::path p = fs::temp_directory_path() / ("flux_gen_test_" + std::to_string(rd()));
  fs::create_directories(p);
  return p;
}

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("generates a kustomization listing manifests and sub-kustomizations") {
  fs::path d = MakeTemp();
  Write(d / "b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
  Write(d / "a/x.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
  Write(d / "k/kustomization.yaml", "resources:\n- s.yaml\n");
  Write(d / "k/s.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
  Write(d / "notes.txt", "ignored");
  kz::FluxOverlay overlay;
  overlay.target_namespace = "apps";
  overlay.name_prefix = "p-";
  auto file = kz::GenerateFluxKustomization(d.string(), overlay);
  REQUIRE(file.ok());
  CHECK(*file == (d / "kustomization.yaml").string());
  CHECK(Read(*file) ==
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: p-\nnamespace: apps\n"
        "resources:\n- ./a/x.yml\n- ./b.yaml\n- ./k\n");
  kz::BuildOptions opts;
  opts.root = d.string();
  auto out = kz::Build(d.string(), opts);
  INFO(out.status().ToString());
  REQUIRE(out.ok());
  REQUIRE(out->size() == 3);
  fs::remove_all(d);
}

TEST_CASE("invalid YAML names the file") {
  fs::path d = MakeTemp();
  Write(d / "bad.yaml", "a: [1, 2\n");
  auto file = kz::GenerateFluxKustomization(d.string(), kz::FluxOverlay{});
  REQUIRE_FALSE(file.ok());
  CHECK(std::string(file.status().message()).find("failed to decode Kubernetes YAML from " + (d / "bad.yaml").string()) == 0);
  fs::remove_all(d);
}

TEST_CASE("overlays an existing kustomization: images merge, components") {
  fs::path d = MakeTemp();
  Write(d / "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- cm.yaml\n"
        "images:\n- name: nginx\n  newTag: \"1.0\"\n");
  Write(d / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
  kz::FluxOverlay overlay;
  overlay.images.push_back(Value{{"name", "nginx"}, {"digest", "sha256:abc"}});
  overlay.components = {"missing"};
  overlay.ignore_missing_components = true;
  auto file = kz::GenerateFluxKustomization(d.string(), overlay);
  REQUIRE(file.ok());
  CHECK(Read(*file) ==
        "apiVersion: kustomize.config.k8s.io/v1beta1\nimages:\n- digest: sha256:abc\n  name: nginx\nkind: "
        "Kustomization\nresources:\n- cm.yaml\n");
  overlay.components = {"../escape"};
  CHECK_FALSE(kz::GenerateFluxKustomization(d.string(), overlay).ok());
  fs::remove_all(d);
}

TEST_CASE("empty directory gets a placeholder namespace") {
  fs::path d = MakeTemp();
  auto file = kz::GenerateFluxKustomization(d.string(), kz::FluxOverlay{});
  REQUIRE(file.ok());
  CHECK(Read(*file).find("namespace: _placeholder") != std::string::npos);
  fs::remove_all(d);
}
