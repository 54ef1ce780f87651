#include "services/kustomize-controller/finalizer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/runtime/conditions.h"
#include "libs/runtime/finalizers.h"
#include "services/kustomize-controller/applier_client.h"

namespace fluxcpp::kustomize_controller {

bool ShouldDeleteResources(const object::Value& obj) {
  if (object::GetBool(obj, {"spec", "suspend"})) return false;
  std::string policy = object::GetString(obj, {"spec", "deletionPolicy"}, "MirrorPrune");
  return policy == "Delete" || policy == "WaitForTermination" ||
         (policy == "MirrorPrune" && object::GetBool(obj, {"spec", "prune"}));
}

absl::Status FinalizeKustomization(kube::Client& base, object::Value& obj, runtime::EventRecorder& events,
                                   const KustomizationOptions& options, Duration timeout) {
  const std::string ns = object::GetString(obj, {"metadata", "namespace"});
  const std::string name = object::GetString(obj, {"metadata", "name"});
  std::vector<ssa::ObjectRef> inventory;
  if (const object::Value* inv = object::Find(obj, {"status", "inventory"}); inv != nullptr) {
    if (auto parsed = ssa::FromInventory(*inv); parsed.ok()) inventory = std::move(*parsed);
  }
  if (ShouldDeleteResources(obj) && !inventory.empty()) {
    auto applier = BuildApplierClient(base, obj, options);
    bool sa_missing = false;
    if (applier.ok() && !applier->service_account.empty() && !applier->is_remote) {
      auto sa = base.Get(kube::GroupVersionKind{"", "v1", "ServiceAccount"}, ns, applier->service_account);
      sa_missing = !sa.ok() && sa.status().code() == absl::StatusCode::kNotFound;
    }
    if (!applier.ok() || sa_missing) {
      std::vector<std::string> subjects;
      for (const auto& r : inventory) subjects.push_back(r.Subject());
      std::string why = !applier.ok() ? std::string(applier.status().message())
                                      : absl::StrCat("ServiceAccount '", ns, "/", applier->service_account,
                                                     "' not found");
      events.Warning(obj, runtime::kPruneFailedReason,
                     absl::StrCat("Garbage collection skipped: ", why, "; objects left in the cluster:\n",
                                  absl::StrJoin(subjects, "\n")));
    } else {
      ssa::ResourceManager manager(*applier->client,
                                   {"kustomize-controller", "kustomize.toolkit.fluxcd.io/name",
                                    "kustomize.toolkit.fluxcd.io/namespace", name, ns, "kustomize.toolkit.fluxcd.io"});
      auto deleted = manager.DeleteAll(inventory);
      if (!deleted.ok()) {
        events.Warning(obj, runtime::kPruneFailedReason, std::string(deleted.status().message()));
      } else {
        if (deleted->HasChanges()) events.Normal(obj, runtime::kProgressingReason,
                                                 deleted->ChangesSummary());
        if (object::GetString(obj, {"spec", "deletionPolicy"}) == "WaitForTermination") {
          std::vector<ssa::ObjectRef> gone;
          for (const auto& e : deleted->entries) {
            if (e.action == ssa::Action::kDeleted) gone.push_back(e.ref);
          }
          absl::Status waited = manager.WaitForTermination(
              gone, std::chrono::duration_cast<std::chrono::milliseconds>(timeout), std::chrono::seconds(2));
          if (!waited.ok()) events.Warning(obj, runtime::kPruneFailedReason, std::string(waited.message()));
        }
      }
    }
  }
  return runtime::RemoveFinalizer(base, obj, "finalizers.fluxcd.io");
}

}  // namespace fluxcpp::kustomize_controller
