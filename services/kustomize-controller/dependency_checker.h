#pragma once
// spec.dependsOn (spec §10.13): every dependency must exist and be ready,
// either by the built-in check (Ready=True at its current generation and,
// when it uses the same source, the same revision applied) or by readyExpr.

#include <string>

#include "absl/status/status.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize_controller {

// OK when all dependencies are ready; FailedPrecondition with Flux's message
// ("dependency '<ns>/<name>' is not ready", "... not found: ...",
// "... revision is not up to date", "... is not ready according to readyExpr
// eval") for the first that is not. An entry with `readyExpr` is judged by
// that CEL expression (variables `self`: this Kustomization, `dep`: the
// dependency) instead of the built-in check, or in addition to it when
// `additive_cel` (gate AdditiveCELDependencyCheck). A readyExpr that does not
// compile gives InvalidArgument naming the field.
absl::Status CheckDependencies(kube::Client& client, const object::Value& kustomization, const std::string& revision,
                               bool additive_cel = false);

}  // namespace fluxcpp::kustomize_controller
