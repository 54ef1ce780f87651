#pragma once
// What happens when a Kustomization is deleted (spec §10.11): its inventory
// is garbage collected per spec.deletionPolicy (MirrorPrune follows
// spec.prune; Delete; WaitForTermination also waits for the objects to go;
// Orphan keeps them) unless suspended. The finalizer is then removed, even
// when the impersonated service account is gone (deletion never wedges).

#include <chrono>

#include "absl/status/status.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"
#include "libs/runtime/events.h"
#include "libs/ssa/resource_manager.h"
#include "services/kustomize-controller/kustomization_options.h"

namespace fluxcpp::kustomize_controller {

// Whether deletion of the Kustomization deletes its inventory objects.
bool ShouldDeleteResources(const object::Value& kustomization);

// Garbage-collects and removes the finalizer `finalizer` through `base`.
absl::Status FinalizeKustomization(kube::Client& base, object::Value& kustomization, runtime::EventRecorder& events,
                                   const KustomizationOptions& options, Duration timeout);

}  // namespace fluxcpp::kustomize_controller
