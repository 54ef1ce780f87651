#pragma once
// One kustomization directory being built (kustomize's KustTarget): loads the
// kustomization, accumulates resources, bases and components, runs the
// generators and transformers in kustomize's order, and finally fixes name
// references, resolves vars and sorts.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kustomize/build.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/file_loader.h"
#include "libs/kustomize/kustomization_file.h"
#include "libs/kustomize/res_map.h"

namespace fluxcpp::kustomize {

// A kustomize `vars` entry.
struct Var {
  std::string name;
  ResId obj_ref;         // kind/name/apiVersion(/namespace) of the source
  std::string field_path = "metadata.name";
};

// What an accumulation produced: resources plus the merged transformer
// configuration and vars.
struct Accumulator {
  ResMap resources;
  TransformerConfig config;
  std::vector<Var> vars;
};

class KustTarget {
 public:
  static absl::StatusOr<KustTarget> Load(FileLoader ldr, const BuildOptions& options);

  // The fully customized resources of this target (the top of a build).
  absl::StatusOr<ResMap> MakeCustomizedResMap();

  const KustomizationFile& kustomization() const { return kust_; }
  const FileLoader& loader() const { return ldr_; }

 private:
  KustTarget(FileLoader ldr, KustomizationFile kust, const BuildOptions& options)
      : ldr_(std::move(ldr)), kust_(std::move(kust)), options_(options) {}

  absl::StatusOr<Accumulator> AccumulateTarget();
  absl::Status AccumulateTargetInto(Accumulator& ra);
  absl::Status AccumulateResources(Accumulator& ra, const object::Value& paths);
  absl::Status AccumulateComponents(Accumulator& ra, const object::Value& paths);
  absl::Status AccumulateDirectory(Accumulator& ra, const FileLoader& ldr, bool is_component, const std::string& path);
  absl::Status AccumulateFile(Accumulator& ra, const std::string& path);
  absl::Status RunGenerators(Accumulator& ra);
  absl::Status RunTransformers(Accumulator& ra);
  absl::Status RunTransformerConfigs(Accumulator& ra, const object::Value& list, bool generators);

  FileLoader ldr_;
  KustomizationFile kust_;
  BuildOptions options_;
  // Origin tracking (buildMetadata: originAnnotations): the path of this
  // target relative to the build root, when enabled.
  bool track_origin_ = false;
  bool track_transformers_ = false;
  std::string origin_path_;
  std::vector<std::string> build_metadata_;
};

}  // namespace fluxcpp::kustomize
