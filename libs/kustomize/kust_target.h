#pragma once
// One kustomization directory being built (kustomize's KustTarget): loads the
// kustomization, accumulates resources, bases and components, runs the
// generators and transformers in kustomize's order, and finally fixes name
// references, resolves vars and sorts.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kustomize/build.h"
#include "libs/kustomize/field_spec.h"
#include "libs/kustomize/file_loader.h"
#include "libs/kustomize/kustomization_file.h"
#include "libs/kustomize/res_map.h"

namespace fluxcpp::kustomize {

// What an accumulation produced: resources plus the merged transformer
// configuration and vars.
struct Accumulator {
  ResMap resources;
  TransformerConfig config;
  std::vector<object::Value> vars;  // kustomize `vars` entries
};

class KustTarget {
 public:
  static absl::StatusOr<KustTarget> Load(FileLoader ldr, const BuildOptions& options);

  // The fully customized resources of this target (the top of a build).
  absl::StatusOr<ResMap> MakeCustomizedResMap();

  const KustomizationFile& kustomization() const { return kust_; }

  // Applies this kustomization's `openapi` field to the thread's build state
  // (kustomize's openapi.SetSchema): `reset` for the top kustomization, else
  // only when no earlier kustomization chose a schema.
  absl::Status ApplyOpenApi(bool reset) const;
  const FileLoader& loader() const { return ldr_; }

 private:
  KustTarget(FileLoader ldr, KustomizationFile kust, const BuildOptions& options)
      : ldr_(std::move(ldr)), kust_(std::move(kust)), options_(options) {}

  absl::StatusOr<Accumulator> AccumulateTarget();
  absl::Status AccumulateTargetInto(Accumulator& ra);
  absl::Status AccumulateResources(Accumulator& ra, const object::Value& paths);
  absl::Status AccumulateComponents(Accumulator& ra, const object::Value& paths);
  // `keys` (resources only): the id keys of ra.resources, kept across the
  // appends of one resources list.
  absl::Status AccumulateDirectory(Accumulator& ra, const FileLoader& ldr, bool is_component, const std::string& path,
                                   IdKeySet* keys = nullptr);
  absl::Status AccumulateFile(Accumulator& ra, const std::string& path, IdKeySet& keys);
  absl::Status RunGenerators(Accumulator& ra);
  absl::Status RunTransformers(Accumulator& ra);
  // The config resources a `generators:` / `transformers:` list names:
  // inline YAML documents, files and kustomization directories (built).
  absl::StatusOr<ResMap> LoadPluginConfigs(const object::Value& list);
  // Origin of a builtin plugin configured by this kustomization file (nullopt
  // when origins are not tracked).
  std::optional<Origin> BuiltinOrigin(const std::string& plugin_kind) const;
  // Origin of a plugin configured by a resource (OriginFromCustomPlugin).
  std::optional<Origin> PluginOrigin(const Resource& config) const;
  // An origin at `path` (relative to this target) with this target's repo/ref.
  Origin OriginAt(const std::string& path) const;

  FileLoader ldr_;
  KustomizationFile kust_;
  BuildOptions options_;
  // Origin tracking (on when the top kustomization has any buildMetadata):
  // the path of this target relative to the build root.
  bool track_origin_ = false;
  std::string origin_path_;
  // Inside a remote base: its repository and ref (paths are then relative
  // to the repository root).
  std::string origin_repo_, origin_ref_;
  std::vector<std::string> build_metadata_;
};

}  // namespace fluxcpp::kustomize
