#include "libs/kustomize/flux_build.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "libs/kustomize/flux_overlay_from_spec.h"
#include "libs/object/yaml.h"

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;
using fluxcpp::object::Value;

namespace {

Value Kustomization(const std::string& spec_yaml) {
  auto v = fluxcpp::object::ParseYaml("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
                                      "metadata: {name: apps, namespace: flux-system}\nspec:\n" +
                                      spec_yaml);
  REQUIRE(v.ok());
  return *v;
}

}  // namespace

TEST_CASE("FluxOverlayFromSpec maps every overlaid spec field", "[flux_overlay]") {
  const Value ks = Kustomization(
      "  targetNamespace: team\n  namePrefix: p-\n  nameSuffix: -s\n"
      "  patches: [{patch: 'x', target: {kind: Deployment}}]\n"
      "  images: [{name: nginx, newTag: '2'}]\n"
      "  components: [../c, 7]\n  ignoreMissingComponents: true\n"
      "  buildMetadata: [originAnnotations]\n"
      "  commonMetadata: {labels: {a: b, n: 1}, annotations: {c: d}}\n");
  const kz::FluxOverlay o = kz::FluxOverlayFromSpec(ks);
  CHECK(o.target_namespace == "team");
  CHECK(o.name_prefix == "p-");
  CHECK(o.name_suffix == "-s");
  CHECK(o.patches.size() == 1);
  CHECK(o.images.size() == 1);
  CHECK(o.components == std::vector<std::string>{"../c"});
  CHECK(o.ignore_missing_components);
  CHECK(o.build_metadata == std::vector<std::string>{"originAnnotations"});
  CHECK(o.common_labels == std::map<std::string, std::string>{{"a", "b"}});
  CHECK(o.common_annotations == std::map<std::string, std::string>{{"c", "d"}});
  CHECK(kz::FluxOverlayFromSpec(Value::object()).target_namespace.empty());
}

TEST_CASE("BuildFluxKustomization generates, overlays and adds commonMetadata", "[flux_build]") {
  std::random_device rd;
  const fs::path root = fs::temp_directory_path() / ("flux_build_test_" + std::to_string(rd()));
  fs::create_directories(root / "app");
  std::ofstream(root / "app" / "cm.yaml") << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n";
  const Value ks = Kustomization("  targetNamespace: team\n  namePrefix: p-\n  commonMetadata: {labels: {a: b}}\n");
  auto built = kz::BuildFluxKustomization(root.string(), (root / "app").string(), ks, nullptr);
  REQUIRE(built.ok());
  REQUIRE(built->size() == 1);
  CHECK(kz::ToYaml(*built) ==
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    a: b\n  name: p-cfg\n  namespace: team\n");

  std::ofstream(root / "app" / "kustomization.yaml") << "resources: [missing.yaml]\n";
  auto failed = kz::BuildFluxKustomization(root.string(), (root / "app").string(), ks, nullptr);
  REQUIRE_FALSE(failed.ok());
  CHECK(std::string(failed.status().message()).rfind("kustomize build failed: ", 0) == 0);
  fs::remove_all(root);
}
