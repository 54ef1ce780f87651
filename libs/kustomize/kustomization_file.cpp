#include "libs/kustomize/kustomization_file.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/kyaml_reader.h"

namespace fluxcpp::kustomize {
namespace fs = std::filesystem;
using object::Value;

namespace {

constexpr const char* kFields[] = {
    "apiVersion",        "kind",          "metadata",   "openapi",
    "namePrefix",        "nameSuffix",    "namespace",  "commonLabels",
    "labels",            "commonAnnotations", "patchesStrategicMerge", "patchesJson6902",
    "patches",           "images",        "imageTags",  "replacements",
    "replicas",          "vars",          "sortOptions", "resources",
    "components",        "crds",          "bases",      "configMapGenerator",
    "secretGenerator",   "helmGlobals",   "helmCharts", "helmChartInflationGenerator",
    "generatorOptions",  "configurations", "generators", "transformers",
    "validators",        "buildMetadata",
};

void AppendList(Value& k, const char* to, const char* from) {
  auto it = k.find(from);
  if (it == k.end()) return;
  Value moved = *it;
  k.erase(from);
  if (moved.is_null()) return;
  Value& dst = k[to];
  if (!dst.is_array()) dst = Value::array();
  if (moved.is_array()) {
    for (Value& v : moved) dst.push_back(v);
  }
}

void FixEnvSource(Value& k, const char* key) {
  auto it = k.find(key);
  if (it == k.end() || !it->is_array()) return;
  for (Value& g : *it) {
    if (!g.is_object()) continue;
    auto env = g.find("env");
    if (env != g.end()) {
      if (env->is_string() && !env->get<std::string>().empty()) {
        Value& envs = g["envs"];
        if (!envs.is_array()) envs = Value::array();
        envs.push_back(*env);
      }
      g.erase("env");
    }
  }
}

}  // namespace

absl::StatusOr<std::string> FindKustomizationFile(const std::string& dir) {
  std::string found;
  int count = 0;
  std::error_code ec;
  for (const char* name : kKustomizationFileNames) {
    if (fs::is_regular_file(fs::path(dir) / name, ec)) {
      if (count == 0) found = name;
      ++count;
    }
  }
  if (count > 1) return absl::InvalidArgumentError(absl::StrCat("Found multiple kustomization files under: ", dir));
  if (count == 0) {
    return absl::NotFoundError(absl::StrCat(
        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '", dir, "'"));
  }
  return found;
}

absl::StatusOr<Value> NormalizeKustomization(const Value& raw) {
  if (raw.is_null()) return Value::object();
  if (!raw.is_object()) return absl::InvalidArgumentError("invalid Kustomization: not a map");
  Value k = Value::object();
  for (auto it = raw.begin(); it != raw.end(); ++it) {
    std::string lower = absl::AsciiStrToLower(it.key());
    const char* canonical = nullptr;
    for (const char* f : kFields) {
      if (absl::AsciiStrToLower(f) == lower) {
        canonical = f;
        break;
      }
    }
    if (canonical == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("invalid Kustomization: json: unknown field \"", it.key(), "\""));
    }
    k[canonical] = it.value();
  }
  std::string kind = object::GetString(k, {"kind"});
  if (kind.empty()) {
    kind = "Kustomization";
    k["kind"] = kind;
  }
  if (object::GetString(k, {"apiVersion"}).empty()) {
    k["apiVersion"] =
        kind == "Component" ? "kustomize.config.k8s.io/v1alpha1" : "kustomize.config.k8s.io/v1beta1";
  }
  AppendList(k, "resources", "bases");
  AppendList(k, "images", "imageTags");
  FixEnvSource(k, "configMapGenerator");
  FixEnvSource(k, "secretGenerator");
  return k;
}

absl::StatusOr<KustomizationFile> LoadKustomization(const FileLoader& ldr) {
  KustomizationFile out;
  FLUX_ASSIGN_OR_RETURN(out.file_name, FindKustomizationFile(ldr.root()));
  FLUX_ASSIGN_OR_RETURN(std::string text, ldr.Load(out.file_name));
  auto raw = ReadYaml(text, /*allow_duplicate_keys=*/true);
  if (!raw.ok()) return raw.status();
  FLUX_ASSIGN_OR_RETURN(out.k, NormalizeKustomization(*raw));
  std::string kind = object::GetString(out.k, {"kind"});
  std::string api = object::GetString(out.k, {"apiVersion"});
  if (kind == "Component" && api != "kustomize.config.k8s.io/v1alpha1") {
    return absl::InvalidArgumentError("apiVersion for Component should be kustomize.config.k8s.io/v1alpha1");
  }
  if (kind == "Kustomization" && api != "kustomize.config.k8s.io/v1beta1" && api != "v1beta1" &&
      api != "kustomize.config.k8s.io/v1") {
    return absl::InvalidArgumentError("apiVersion for Kustomization should be kustomize.config.k8s.io/v1beta1");
  }
  if (kind != "Kustomization" && kind != "Component") {
    return absl::InvalidArgumentError(absl::StrCat("kind should be Kustomization or Component"));
  }
  return out;
}

}  // namespace fluxcpp::kustomize
