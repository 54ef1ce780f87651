#pragma once
// kustomize keeps a resource's build bookkeeping (previous ids, applied
// prefixes/suffixes, generator options, origins) as annotations under
// metadata.annotations while its transformers run, so a JSON 6902 patch sees
// that map: `add /metadata/annotations/x` works on a resource without
// annotations, and `copy`/`test`/`remove` see the internal entries. We keep
// the bookkeeping on Resource instead and materialise it only around a JSON
// patch.

#include "libs/kustomize/resource.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Adds r's build annotations (kustomize's names and formats, e.g.
// internal.config.kubernetes.io/previousNames: "cm,cm,p-cm") to
// obj.metadata.annotations, creating the map when absent. `obj` is r.obj or
// a copy of it.
void InjectBuildAnnotations(const Resource& r, object::Value& obj);

// Removes every build annotation from `obj` (an annotations map left empty
// goes too, as kustomize's cleanup of its build annotations does). The
// bookkeeping on the Resource stays as it was: kustomize restores its internal
// annotations after a patch, whatever the patch did to them.
void StripBuildAnnotations(object::Value& obj);

}  // namespace fluxcpp::kustomize
