#include "libs/envsubst/resource_substitution.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/core/status_macros.h"
#include "libs/envsubst/envsubst.h"
#include "libs/object/yaml.h"

namespace fluxcpp::envsubst {
namespace {

bool IsDisabledIn(const object::Value& resource, std::string_view field) {
  const object::Value* v = object::Find(resource, {"metadata", field, kSubstituteKey});
  return v != nullptr && v->is_string() && v->get<std::string>() == kSubstituteDisabled;
}

absl::Status Prefixed(std::string_view prefix, const absl::Status& st) {
  return absl::Status(st.code(), absl::StrCat(std::string(prefix), std::string(st.message())));
}

}  // namespace

bool IsSubstitutionDisabled(const object::Value& resource) {
  return IsDisabledIn(resource, "labels") || IsDisabledIn(resource, "annotations");
}

std::map<std::string, std::string> StripNewlines(std::map<std::string, std::string> vars) {
  for (auto& [key, value] : vars) value = absl::StrReplaceAll(value, {{"\n", ""}});
  return vars;
}

absl::Status ValidateVarNames(const std::map<std::string, std::string>& vars) {
  for (const auto& [key, value] : vars) FLUX_RETURN_IF_ERROR(ValidateVarName(key));
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::string>> NormalizeVars(
    const std::map<std::string, std::string>& vars) {
  FLUX_RETURN_IF_ERROR(ValidateVarNames(vars));
  return StripNewlines(vars);
}

absl::StatusOr<object::Value> SubstituteResource(const object::Value& resource,
                                                 const std::map<std::string, std::string>& vars,
                                                 bool strict, bool always) {
  if (IsSubstitutionDisabled(resource)) return resource;
  if (vars.empty() && !always) return resource;

  if (absl::Status st = ValidateVarNames(vars); !st.ok()) return Prefixed("envsubst error: ", st);

  std::string yaml = object::ToYaml(resource);
  absl::StatusOr<std::string> out = Substitute(yaml, vars, strict);
  if (!out.ok()) return Prefixed("envsubst error: variable substitution failed: ", out.status());

  absl::StatusOr<object::Value> parsed = object::ParseYaml(*out);
  if (!parsed.ok()) return Prefixed("envsubst error: YAMLToJSON: ", parsed.status());
  if (!parsed->is_object()) {
    return absl::InvalidArgumentError("UnmarshalJSON: the substituted resource is not a map");
  }
  return *std::move(parsed);
}

std::string KustomizeGvkString(const object::Value& resource) {
  std::string api_version = object::GetString(resource, {"apiVersion"});
  std::string group;
  std::string version = api_version;
  if (size_t slash = api_version.find('/'); slash != std::string::npos) {
    group = api_version.substr(0, slash);
    version = api_version.substr(slash + 1);
  }
  std::string kind = object::GetString(resource, {"kind"});
  return absl::StrCat(kind.empty() ? "[noKind]" : kind, ".", version.empty() ? "[noVer]" : version,
                      ".", group.empty() ? "[noGrp]" : group);
}

absl::Status PostBuildError(const object::Value& resource, const absl::Status& error) {
  if (error.ok()) return error;
  return absl::Status(error.code(),
                      absl::StrCat("post build failed for '", KustomizeGvkString(resource), "/",
                                   object::GetString(resource, {"metadata", "name"}),
                                   "': ", std::string(error.message())));
}

}  // namespace fluxcpp::envsubst
