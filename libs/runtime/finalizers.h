#pragma once
// Finalizer helpers. Both use a JSON merge patch of metadata.finalizers that
// carries metadata.resourceVersion, so a concurrent edit of the list is
// never lost: on Conflict they re-read the object and retry (5 times).
// No request is made when the list is already as wanted. On success `obj`'s
// metadata.finalizers and metadata.resourceVersion are updated in place (the
// rest of `obj`, e.g. in-progress status, is left alone).

#include <string_view>

#include "absl/status/status.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"

namespace fluxcpp::runtime {

// The finalizer of every Flux kind.
inline constexpr std::string_view kFluxFinalizer = "finalizers.fluxcd.io";

bool HasFinalizer(const object::Value& obj, std::string_view finalizer);

// Adds `finalizer` (appended). FailedPrecondition when the object is being
// deleted (a finalizer can only be added before deletion starts).
absl::Status AddFinalizer(kube::Client& client, object::Value& obj, std::string_view finalizer = kFluxFinalizer);

// Removes `finalizer`; OK when the object is already gone.
absl::Status RemoveFinalizer(kube::Client& client, object::Value& obj,
                             std::string_view finalizer = kFluxFinalizer);

}  // namespace fluxcpp::runtime
