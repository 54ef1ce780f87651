#pragma once
// Post-build variable substitution (spec §10.9): collects the variables of
// spec.postBuild (substituteFrom ConfigMaps/Secrets in order, then the
// inline substitute map) and substitutes them into every built resource
// with libs/envsubst.
//
// Secret values are never put into errors, logs or events.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize_controller {

// Variables of spec.postBuild, newlines stripped. NotFound/other errors as
// "substitute from '<Kind>/<name>' error: <err>" for a missing non-optional
// source; optional missing sources count as empty. `client` reads in the
// Kustomization's namespace (the controller's own identity, as in Flux).
absl::StatusOr<std::map<std::string, std::string>> CollectVariables(kube::Client& client,
                                                                    const object::Value& kustomization);

// Substitutes `vars` into `resources` in place when spec.postBuild is set.
// `strict`: the StrictPostBuildSubstitutions gate. Errors are Flux's
// "post build failed for '<gvk>/<name>': ..." messages.
absl::Status SubstituteAll(const object::Value& kustomization, const std::map<std::string, std::string>& vars,
                           bool strict, std::vector<object::Value>& resources);

// Names of ConfigMaps / Secrets ("ConfigMap/<name>") referenced by
// spec.postBuild.substituteFrom, for the config watches.
std::vector<std::string> SubstitutionSources(const object::Value& kustomization);

}  // namespace fluxcpp::kustomize_controller
