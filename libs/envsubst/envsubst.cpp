#include "libs/envsubst/envsubst.h"

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/envsubst/template.h"

namespace fluxcpp::envsubst {

absl::StatusOr<std::string> Substitute(std::string_view text, const Lookup& lookup, bool strict) {
  FLUX_ASSIGN_OR_RETURN(Node root, Parse(text));
  Mapping mapping = [&lookup, strict](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> v = lookup(name);
    if (strict) return v;
    return v.value_or("");  // non-strict: every variable "exists"
  };
  return Execute(root, mapping);
}

absl::StatusOr<std::string> Substitute(std::string_view text,
                                       const std::map<std::string, std::string>& vars,
                                       bool strict) {
  return Substitute(
      text,
      [&vars](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
      },
      strict);
}

absl::Status ValidateVarName(std::string_view name) {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  bool ok = !name.empty() && alpha(name[0]);
  for (size_t i = 1; ok && i < name.size(); ++i)
    ok = alpha(name[i]) || (name[i] >= '0' && name[i] <= '9');
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("'", std::string(name),
                                                 "' var name is invalid, must match '",
                                                 std::string(kVarNamePattern), "'"));
}

}  // namespace fluxcpp::envsubst
