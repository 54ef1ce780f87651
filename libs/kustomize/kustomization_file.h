#pragma once
// Loading a kustomization file (kustomize.config.k8s.io/v1beta1 Kustomization
// or v1alpha1 Component) from a directory, with kustomize's field-name
// matching (case-insensitive, like Go's encoding/json), its "unknown field"
// errors and its legacy-field fixes (bases -> resources, imageTags -> images,
// envSource -> envs).

#include <string>

#include "absl/status/statusor.h"
#include "libs/kustomize/file_loader.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// The file names kustomize recognises, in its order of preference.
inline constexpr const char* kKustomizationFileNames[] = {"kustomization.yaml", "kustomization.yml", "Kustomization"};

struct KustomizationFile {
  std::string file_name;  // e.g. "kustomization.yaml"
  object::Value k;        // normalized: canonical keys, fixes applied
  bool IsComponent() const { return object::GetString(k, {"kind"}) == "Component"; }
};

// The kustomization file name present in `dir`; NotFound ("unable to find one
// of ...") or InvalidArgument ("Found multiple kustomization files under: ...").
absl::StatusOr<std::string> FindKustomizationFile(const std::string& dir);

// Reads and normalizes the kustomization in the loader's root.
absl::StatusOr<KustomizationFile> LoadKustomization(const FileLoader& ldr);

// Normalizes parsed kustomization content (exposed for tests and the Flux generator).
absl::StatusOr<object::Value> NormalizeKustomization(const object::Value& raw);

}  // namespace fluxcpp::kustomize
