#pragma once
// The controller-log form of an apply's change set (Flux's "server-side
// apply completed" line, field "output"): every entry, skipped and unchanged
// ones included, as a JSON object. By default {"Kind/ns/name": "action"};
// with the GroupChangeLog feature gate the names are grouped per action,
// {"action": ["Kind/ns/name", ...]}, which keeps log lines of large
// Kustomizations short and low in cardinality. Events are not affected.

#include <string>

#include "libs/ssa/resource_manager.h"

namespace fluxcpp::kustomize_controller {

std::string ChangeSetLogOutput(const ssa::ChangeSet& change_set, bool grouped);

}  // namespace fluxcpp::kustomize_controller
