#pragma once
// A Flux Kustomization object (kustomize.toolkit.fluxcd.io) -> the FluxOverlay
// its spec asks for: targetNamespace, namePrefix/nameSuffix, patches, images,
// components (+ ignoreMissingComponents), buildMetadata and commonMetadata.
// Shared by kustomize-controller and `fluxcpp build kustomization`, so both
// overlay a spec identically.
//
//   kustomize::FluxOverlay overlay = kustomize::FluxOverlayFromSpec(ks);

#include "libs/kustomize/flux_generator.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Missing or mistyped fields are left empty (never an error); non-string
// entries of components/buildMetadata/commonMetadata maps are skipped.
FluxOverlay FluxOverlayFromSpec(const object::Value& kustomization);

}  // namespace fluxcpp::kustomize
