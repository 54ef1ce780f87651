#include "libs/kustomize/build.h"

#include <catch2/catch.hpp>

#include "libs/core/testing/temp_dir.h"

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;

namespace {

using fluxcpp::testing::TempDir;

void WriteFileIn(const TempDir& dir, const std::string& rel, const std::string& text) {
  fluxcpp::testing::WriteFile(dir.Join(rel), text);
}

}  // namespace

TEST_CASE("resources, nested bases and namespace") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "base/kustomization.yaml", "resources:\n- cm.yaml\n");
  WriteFileIn(d, "base/cm.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\n---\n"
          "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n");
  WriteFileIn(d, "app/kustomization.yaml", "namespace: prod\nresources:\n- ../base\n- svc.yaml\n");
  WriteFileIn(d, "app/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 80\n");
  kz::BuildOptions opts;
  auto out = kz::Build(d.Join("app"), opts);
  REQUIRE(out.ok());
  CHECK(kz::ToYaml(*out) ==
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n---\n"
        "apiVersion: v1\ndata:\n  x: \"1\"\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: prod\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: prod\nspec:\n  ports:\n  - port: 80\n");
}

TEST_CASE("missing kustomization file is an error") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "x.yaml", "a: b\n");
  auto out = kz::Build(d.path(), kz::BuildOptions{});
  REQUIRE_FALSE(out.ok());
  CHECK(std::string(out.status().message()).find("unable to find one of") != std::string::npos);
}

TEST_CASE("files outside the root are never read") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
  WriteFileIn(d, "app/kustomization.yaml", "resources:\n- ../secret.yaml\n");
  SECTION("RootOnly") {
    auto out = kz::Build(d.Join("app"), kz::BuildOptions{});
    REQUIRE_FALSE(out.ok());
    CHECK(std::string(out.status().message()).find("is not in or below") != std::string::npos);
  }
  SECTION("bounded root") {
    kz::BuildOptions opts;
    opts.root = d.Join("app");
    auto out = kz::Build(d.Join("app"), opts);
    REQUIRE_FALSE(out.ok());
    opts.root = d.path();
    CHECK(kz::Build(d.Join("app"), opts).ok());
  }
}

TEST_CASE("cycles are errors") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "a/kustomization.yaml", "resources:\n- ../b\n");
  WriteFileIn(d, "b/kustomization.yaml", "resources:\n- ../a\n");
  auto out = kz::Build(d.Join("a"), kz::BuildOptions{});
  REQUIRE_FALSE(out.ok());
  CHECK(std::string(out.status().message()).find("cycle") != std::string::npos);
}

TEST_CASE("remote bases need a fetcher") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "kustomization.yaml", "resources:\n- https://github.com/example/repo//base?ref=v1\n");
  auto out = kz::Build(d.path(), kz::BuildOptions{});
  REQUIRE_FALSE(out.ok());
  const std::string msg(out.status().message());
  CHECK(msg.find("https://github.com/example/repo//base?ref=v1") != std::string::npos);
  CHECK(msg.find(fs::canonical(d.path()).string() + "/kustomization.yaml") != std::string::npos);
  CHECK(msg.find("remote resources are disabled") != std::string::npos);
}

TEST_CASE("replacements keep the target's scalar type and create fields") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "kustomization.yaml", R"(resources:
- r.yaml
replacements:
- source: {kind: ConfigMap, name: cfg, fieldPath: data.replicas}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.replicas, metadata.annotations.count]
    options: {create: true}
)");
  WriteFileIn(d, "r.yaml", R"(apiVersion: v1
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
  auto out = kz::Build(d.path(), opts);
  REQUIRE(out.ok());
  std::string yaml = kz::ToYaml(*out);
  CHECK(yaml.find("  replicas: 3\n") != std::string::npos);
  CHECK(yaml.find("count: \"3\"") != std::string::npos);
}

TEST_CASE("transformer configs and origin annotations") {
  TempDir d("kustomize-test");
  WriteFileIn(d, "kustomization.yaml", R"(resources:
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
  WriteFileIn(d, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n");
  kz::BuildOptions opts;
  opts.reorder = kz::Reorder::kNone;
  auto out = kz::Build(d.path(), opts);
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
