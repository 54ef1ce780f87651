#include "libs/kustomize/build.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;

namespace {

// A scratch directory removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("kustomize_test_" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  void Write(const std::string& rel, const std::string& text) const {
    fs::path p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  std::string Path(const std::string& rel = "") const { return (path_ / rel).string(); }

 private:
  fs::path path_;
};

}  // namespace

TEST_CASE("resources, nested bases and namespace") {
  TempDir d;
  d.Write("base/kustomization.yaml", "resources:\n- cm.yaml\n");
  d.Write("base/cm.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\n---\n"
          "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n");
  d.Write("app/kustomization.yaml", "namespace: prod\nresources:\n- ../base\n- svc.yaml\n");
  d.Write("app/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n");
  kz::BuildOptions opts;
  auto out = kz::Build(d.Path("app"), opts);
  REQUIRE(out.ok());
  CHECK(kz::ToYaml(*out) ==
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n---\n"
        "apiVersion: v1\ndata:\n  x: \"1\"\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: prod\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: prod\nspec:\n  ports:\n  - port: 80\n");
}

TEST_CASE("missing kustomization file is an error") {
  TempDir d;
  d.Write("x.yaml", "a: b\n");
  auto out = kz::Build(d.Path(), kz::BuildOptions{});
  REQUIRE_FALSE(out.ok());
  CHECK(std::string(out.status().message()).find("unable to find one of") != std::string::npos);
}

TEST_CASE("files outside the root are never read") {
  TempDir d;
  d.Write("secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
  d.Write("app/kustomization.yaml", "resources:\n- ../secret.yaml\n");
  SECTION("RootOnly") {
    auto out = kz::Build(d.Path("app"), kz::BuildOptions{});
    REQUIRE_FALSE(out.ok());
    CHECK(std::string(out.status().message()).find("is not in or below") != std::string::npos);
  }
  SECTION("bounded root") {
    kz::BuildOptions opts;
    opts.root = d.Path("app");
    auto out = kz::Build(d.Path("app"), opts);
    REQUIRE_FALSE(out.ok());
    opts.root = d.Path();
    CHECK(kz::Build(d.Path("app"), opts).ok());
  }
}

TEST_CASE("cycles are errors") {
  TempDir d;
  d.Write("a/kustomization.yaml", "resources:\n- ../b\n");
  d.Write("b/kustomization.yaml", "resources:\n- ../a\n");
  auto out = kz::Build(d.Path("a"), kz::BuildOptions{});
  REQUIRE_FALSE(out.ok());
  CHECK(std::string(out.status().message()).find("cycle") != std::string::npos);
}

TEST_CASE("remote bases need a fetcher") {
  TempDir d;
  d.Write("kustomization.yaml", "resources:\n- https://github.com/example/repo//base?ref=v1\n");
  auto out = kz::Build(d.Path(), kz::BuildOptions{});
  REQUIRE_FALSE(out.ok());
  const std::string msg(out.status().message());
  CHECK(msg.find("https://github.com/example/repo//base?ref=v1") != std::string::npos);
  CHECK(msg.find(fs::canonical(d.Path()).string() + "/kustomization.yaml") != std::string::npos);
  CHECK(msg.find("remote resources are disabled") != std::string::npos);
}

TEST_CASE("replacements keep the target's scalar type and create fields") {
  TempDir d;
  d.Write("kustomization.yaml", R"(resources:
- r.yaml
replacements:
- source: {kind: ConfigMap, name: cfg, fieldPath: data.replicas}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.replicas, metadata.annotations.count]
    options: {create: true}
)");
  d.Write("r.yaml", R"(apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {replicas: "3"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec: {replicas: 1}
)");
  kz::BuildOptions opts;
  opts.reorder = kz::Reorder::kNone;
  auto out = kz::Build(d.Path(), opts);
  REQUIRE(out.ok());
  std::string yaml = kz::ToYaml(*out);
  CHECK(yaml.find("  replicas: 3\n") != std::string::npos);
  CHECK(yaml.find("count: \"3\"") != std::string::npos);
}

TEST_CASE("transformer configs and origin annotations") {
  TempDir d;
  d.Write("kustomization.yaml", R"(resources:
- svc.yaml
transformers:
- |-
  apiVersion: builtin
  kind: PrefixSuffixTransformer
  metadata: {name: p}
  prefix: a-
  fieldSpecs: [{path: metadata/name}]
buildMetadata: [originAnnotations, transformerAnnotations]
)");
  d.Write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
  kz::BuildOptions opts;
  opts.reorder = kz::Reorder::kNone;
  auto out = kz::Build(d.Path(), opts);
  REQUIRE(out.ok());
  CHECK(kz::ToYaml(*out) == R"(apiVersion: v1
kind: Service
metadata:
  annotations:
    alpha.config.kubernetes.io/transformations: |
      - configuredIn: kustomization.yaml
        configuredBy:
          apiVersion: builtin
          kind: PrefixSuffixTransformer
          name: p
    config.kubernetes.io/origin: |
      path: svc.yaml
  name: a-s
)");
}
