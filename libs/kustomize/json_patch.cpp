#include "libs/kustomize/json_patch.h"

#include "absl/strings/str_cat.h"
#include "libs/kustomize/kyaml_reader.h"

namespace fluxcpp::kustomize {

using object::Value;

absl::StatusOr<Value> ParseJsonPatch(std::string_view text) {
  auto docs = ReadYamlDocuments(text);
  if (!docs.ok()) return docs.status();
  if (docs->size() != 1 || !(*docs)[0].is_array()) {
    return absl::InvalidArgumentError("a JSON patch must be a list of operations");
  }
  for (const Value& op : (*docs)[0]) {
    if (!op.is_object() || !op.contains("op")) return absl::InvalidArgumentError("JSON patch operation lacks 'op'");
  }
  return (*docs)[0];
}

absl::StatusOr<Value> ApplyJsonPatch(const Value& target, const Value& ops) {
  try {
    return target.patch(ops);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("failed to apply JSON patch: ", e.what()));
  }
}

}  // namespace fluxcpp::kustomize
