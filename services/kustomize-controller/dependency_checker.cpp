#include "services/kustomize-controller/dependency_checker.h"

#include "absl/strings/str_cat.h"
#include "libs/runtime/conditions.h"
#include "services/kustomize-controller/source_resolver.h"

namespace fluxcpp::kustomize_controller {

absl::Status CheckDependencies(kube::Client& client, const object::Value& obj, const std::string& revision) {
  static const kube::GroupVersionKind kGvk{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};
  const object::Value* deps = object::Find(obj, {"spec", "dependsOn"});
  if (deps == nullptr || !deps->is_array()) return absl::OkStatus();
  const std::string own_ns = object::GetString(obj, {"metadata", "namespace"});
  for (const auto& dep : *deps) {
    std::string ns = object::GetString(dep, {"namespace"}, own_ns);
    if (ns.empty()) ns = own_ns;
    std::string name = object::GetString(dep, {"name"});
    std::string id = absl::StrCat(ns, "/", name);
    if (!object::GetString(dep, {"readyExpr"}).empty()) {
      return absl::UnimplementedError(absl::StrCat(
          "dependency '", id, "': spec.dependsOn[].readyExpr (CEL) is not available in this version of kustomize-controller"));
    }
    auto live = client.Get(kGvk, ns, name);
    if (!live.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("dependency '", id, "' not found: ", std::string(live.status().message())));
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
