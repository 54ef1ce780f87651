#pragma once
// spec.ignore (spec §10.10): JSON pointers excluded from drift detection for
// the objects a selector matches. Selector fields group, version, kind, name,
// namespace are anchored regular expressions (kustomize's rules);
// labelSelector / annotationSelector accept "k=v", "k==v", "k!=v" and "k"
// terms joined by commas.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize_controller {

using IgnorePaths = std::function<std::vector<std::string>(const object::Value&)>;

// Compiles spec.ignore; InvalidArgument naming the field for a bad regex.
// Returns an empty function when spec.ignore is absent.
absl::StatusOr<IgnorePaths> CompileIgnoreRules(const object::Value& kustomization);

// Whether `obj` matches a kustomize-style selector object.
bool MatchesSelector(const object::Value& selector, const object::Value& obj);

}  // namespace fluxcpp::kustomize_controller
