#include "services/kustomize-controller/change_log.h"

#include "libs/object/value.h"

namespace fluxcpp::kustomize_controller {

std::string ChangeSetLogOutput(const ssa::ChangeSet& change_set, bool grouped) {
  object::Value out = object::Value::object();
  for (const ssa::ChangeSetEntry& entry : change_set.entries) {
    const std::string action = ssa::ActionName(entry.action);
    if (grouped) {
      object::Value& names = out[action];
      if (names.is_null()) names = object::Value::array();
      names.push_back(entry.ref.Subject());
    } else {
      out[entry.ref.Subject()] = action;
    }
  }
  return object::ToJson(out);
}

}  // namespace fluxcpp::kustomize_controller
