#include "services/kustomize-controller/dependency_checker.h"

#include "absl/strings/str_cat.h"
#include "libs/cel/cel.h"
#include "libs/runtime/conditions.h"
#include "services/kustomize-controller/cel_expressions.h"
#include "services/kustomize-controller/source_resolver.h"

namespace fluxcpp::kustomize_controller {

absl::Status CheckDependencies(kube::Client& client, const object::Value& obj, const std::string& revision,
                               bool additive_cel) {
  static const kube::GroupVersionKind kGvk{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
  const object::Value* deps = object::Find(obj, {"spec", "dependsOn"});
  if (deps == nullptr || !deps->is_array()) return absl::OkStatus();
  const std::string own_ns = object::GetString(obj, {"metadata", "namespace"});
  for (size_t i = 0; i < deps->size(); ++i) {
    const object::Value& dep = (*deps)[i];
    std::string ns = object::GetString(dep, {"namespace"}, own_ns);
    if (ns.empty()) ns = own_ns;
    std::string name = object::GetString(dep, {"name"});
    std::string id = absl::StrCat(ns, "/", name);
    const std::string ready_expr = object::GetString(dep, {"readyExpr"});
    auto live = client.Get(kGvk, ns, name);
    if (!live.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("dependency '", id, "' not found: ", std::string(live.status().message())));
    }
    if (!ready_expr.empty()) {
      auto program = CompileReadyExpr(ready_expr, i);
      if (!program.ok()) return program.status();
      cel::Activation vars;
      vars.BindJson("self", obj, cel::NumberMode::kKubernetes);
      vars.BindJson("dep", *live, cel::NumberMode::kKubernetes);
      auto ready = program->EvaluateBool(vars);
      if (!ready.ok()) {
        return absl::FailedPreconditionError(absl::StrCat("dependency '", id, "' readyExpr evaluation failed: ",
                                                          std::string(ready.status().message())));
      }
      if (!*ready) {
        return absl::FailedPreconditionError(
            absl::StrCat("dependency '", id, "' is not ready according to readyExpr eval"));
      }
      if (!additive_cel) continue;
    }
    const object::Value* conds = object::Find(*live, {"status", "conditions"});
    bool has_conditions = conds != nullptr && conds->is_array() && !conds->empty();
    if (!has_conditions ||
        object::GetInt(*live, {"metadata", "generation"}) != object::GetInt(*live, {"status", "observedGeneration"}, -1) ||
        !runtime::conditions::IsTrue(*live, runtime::kReadyCondition)) {
      return absl::FailedPreconditionError(absl::StrCat("dependency '", id, "' is not ready"));
    }
    if (SourceRefOf(*live) == SourceRefOf(obj) &&
        object::GetString(*live, {"status", "lastAppliedRevision"}) != revision) {
      return absl::FailedPreconditionError(absl::StrCat("dependency '", id, "' revision is not up to date"));
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize_controller
