#pragma once
// kustomize-controller's post-build step (fluxcd/pkg/kustomize
// SubstituteVariables), applied to one built resource.

#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::envsubst {

// Label / annotation that opts a resource out when its value is exactly "disabled".
inline constexpr std::string_view kSubstituteKey = "kustomize.toolkit.fluxcd.io/substitute";
inline constexpr std::string_view kSubstituteDisabled = "disabled";

// True when the resource is labelled or annotated kSubstituteKey: "disabled".
bool IsSubstitutionDisabled(const object::Value& resource);

// Removes every "\n" from every value (what the controller does to each value
// it collects from substitute / substituteFrom). "\r" is kept.
std::map<std::string, std::string> StripNewlines(std::map<std::string, std::string> vars);

// OK when every key passes ValidateVarName; else the first offending key's
// error (keys in sorted order).
absl::Status ValidateVarNames(const std::map<std::string, std::string>& vars);

// StripNewlines + ValidateVarNames. Note the controller validates lazily, only
// when a resource is actually substituted; SubstituteResource re-validates in
// that order, so callers that must reproduce the exact error timing can use
// StripNewlines alone.
absl::StatusOr<std::map<std::string, std::string>> NormalizeVars(
    const std::map<std::string, std::string>& vars);

// Substitutes `vars` into one resource:
//   - disabled resources (see above) are returned unchanged;
//   - with zero vars and always == false (substituteStrategy WithVariables)
//     the resource is returned unchanged; always == true runs anyway so that
//     ${var:=default} expressions render;
//   - otherwise the resource is rendered to YAML (object::ToYaml), substituted,
//     and parsed back with Kubernetes' YAML rules (so 'true' / '123' become typed).
// Errors, as the Go code words them (the caller prefixes
// "post build failed for '<gvk>/<name>': ", see PostBuildError):
//   envsubst error: '<name>' var name is invalid, must match '<regex>'
//   envsubst error: variable substitution failed: variable not set (strict mode): "<name>"
//   envsubst error: variable substitution failed: <parse error>
//   envsubst error: YAMLToJSON: <yaml error>
//   UnmarshalJSON: <error>
absl::StatusOr<object::Value> SubstituteResource(const object::Value& resource,
                                                 const std::map<std::string, std::string>& vars,
                                                 bool strict, bool always);

// kustomize's resid.Gvk String(): "<Kind>.<version>.<group>", "[noGrp]" for the
// core group (e.g. "Deployment.v1.apps", "ConfigMap.v1.[noGrp]").
std::string KustomizeGvkString(const object::Value& resource);

// `post build failed for '<gvk>/<name>': <error>`, keeping the error's code.
absl::Status PostBuildError(const object::Value& resource, const absl::Status& error);

}  // namespace fluxcpp::envsubst
