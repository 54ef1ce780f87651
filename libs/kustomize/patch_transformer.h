#pragma once
// kustomize's patch transformers: `patches` (strategic merge or JSON 6902,
// inline or from a file, optionally with a target selector and the
// allowNameChange / allowKindChange options), and the legacy
// `patchesStrategicMerge` and `patchesJson6902` fields.

#include "absl/status/status.h"
#include "libs/kustomize/file_loader.h"
#include "libs/kustomize/res_map.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// One `patches` entry: {path | patch, target, options}.
absl::Status ApplyPatch(ResMap& m, const FileLoader& ldr, const object::Value& entry);

// The `patchesStrategicMerge` list (file paths or inline patches).
absl::Status ApplyPatchesStrategicMerge(ResMap& m, const FileLoader& ldr, const object::Value& list);

// One `patchesJson6902` entry: {target, path | patch}.
absl::Status ApplyPatchJson6902(ResMap& m, const FileLoader& ldr, const object::Value& entry);

}  // namespace fluxcpp::kustomize
