#pragma once
// spec.dependsOn (spec §10.13, built-in readiness check): every dependency
// must exist, be Ready=True at its current generation and, when it uses the
// same source, have applied the same revision.

#include <string>

#include "absl/status/status.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize_controller {

// OK when all dependencies are ready; FailedPrecondition with Flux's message
// ("dependency '<ns>/<name>' is not ready", "... not found: ...",
// "... revision is not up to date") for the first that is not;
// Unimplemented for readyExpr (CEL) entries, which need libs/cel.
absl::Status CheckDependencies(kube::Client& client, const object::Value& kustomization, const std::string& revision);

}  // namespace fluxcpp::kustomize_controller
