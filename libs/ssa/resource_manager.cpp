#include "libs/ssa/resource_manager.h"

#include <algorithm>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::ssa {
namespace {

// Kinds in Flux's apply order; everything else sorts after, by group then
// kind, and webhook configurations come last.
const std::vector<std::string>& KindOrder() {
  static const std::vector<std::string> order = {
      "CustomResourceDefinition", "Namespace", "ClusterRole", "ClusterClass", "RuntimeClass", "PriorityClass",
      "StorageClass", "VolumeSnapshotClass", "IngressClass", "GatewayClass", "ClusterRoleBinding", "ResourceQuota",
      "ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Secret", "Service", "LimitRange", "Deployment",
      "StatefulSet", "CronJob", "PodDisruptionBudget"};
  return order;
}

int KindRank(const std::string& kind) {
  if (kind == "MutatingWebhookConfiguration") return 1000;
  if (kind == "ValidatingWebhookConfiguration") return 1001;
  const auto& order = KindOrder();
  auto it = std::find(order.begin(), order.end(), kind);
  return it == order.end() ? static_cast<int>(order.size()) : static_cast<int>(it - order.begin());
}

int Stage(const ObjectRef& ref) {
  if ((ref.group == "apiextensions.k8s.io" && ref.kind == "CustomResourceDefinition") ||
      (ref.group.empty() && ref.kind == "Namespace") ||
      (ref.group == "rbac.authorization.k8s.io" && ref.kind == "ClusterRole")) {
    return 1;
  }
  if (absl::EndsWith(ref.kind, "Class")) return 2;
  return 4;
}

// Removes fields that differ between any two reads of the same object.
object::Value ForComparison(object::Value obj) {
  object::Erase(obj, {"metadata", "managedFields"});
  object::Erase(obj, {"metadata", "resourceVersion"});
  object::Erase(obj, {"metadata", "generation"});
  return obj;
}

bool LooksImmutable(const absl::Status& status) {
  std::string reason = kube::ReasonOf(status);
  std::string msg = absl::AsciiStrToLower(std::string(status.message()));
  return reason == "Invalid" || reason == "Conflict" || absl::StrContains(msg, "field is immutable") ||
         absl::StrContains(msg, "cannot change") || absl::StrContains(msg, "cannot be changed");
}

}  // namespace

std::string ActionName(Action action) {
  switch (action) {
    case Action::kCreated: return "created";
    case Action::kConfigured: return "configured";
    case Action::kUnchanged: return "unchanged";
    case Action::kDeleted: return "deleted";
    case Action::kSkipped: return "skipped";
    case Action::kUnknown: return "unknown";
  }
  return "unknown";
}

bool ChangeSet::HasChanges() const {
  return std::any_of(entries.begin(), entries.end(), [](const ChangeSetEntry& e) {
    return e.action == Action::kCreated || e.action == Action::kConfigured || e.action == Action::kDeleted;
  });
}

std::string ChangeSet::ChangesSummary() const {
  std::vector<std::string> lines;
  for (const auto& e : entries) {
    if (e.action == Action::kCreated || e.action == Action::kConfigured || e.action == Action::kDeleted) {
      lines.push_back(e.Line());
    }
  }
  return absl::StrJoin(lines, "\n");
}

std::vector<ObjectRef> ChangeSet::Refs() const {
  std::vector<ObjectRef> refs;
  for (const auto& e : entries) refs.push_back(e.ref);
  return refs;
}

void ResourceManager::SortForApply(std::vector<object::Value>& objects) {
  std::stable_sort(objects.begin(), objects.end(), [](const object::Value& a, const object::Value& b) {
    ObjectRef ra = ObjectRef::Of(a), rb = ObjectRef::Of(b);
    int ka = KindRank(ra.kind), kb = KindRank(rb.kind);
    if (ka != kb) return ka < kb;
    if (ra.group != rb.group) return ra.group < rb.group;
    if (ra.kind != rb.kind) return ra.kind < rb.kind;
    if (ra.ns != rb.ns) return ra.ns < rb.ns;
    return ra.name < rb.name;
  });
}

bool ResourceManager::HasAnnotationOrLabel(const object::Value& obj, const std::string& suffix,
                                           const std::string& value) const {
  std::string key = owner_.annotation_prefix + "/" + suffix;
  for (const char* field : {"annotations", "labels"}) {
    const object::Value* map = object::Find(obj, {"metadata", field});
    if (map == nullptr || !map->is_object()) continue;
    auto it = map->find(key);
    if (it != map->end() && it->is_string() && absl::EqualsIgnoreCase(it->get<std::string>(), value)) return true;
  }
  return false;
}

absl::StatusOr<ChangeSetEntry> ResourceManager::ApplyOne(object::Value obj, const ApplyOptions& options) {
  ObjectRef ref = ObjectRef::Of(obj);
  ChangeSetEntry entry{ref, Action::kUnknown};
  if (HasAnnotationOrLabel(obj, "reconcile", "disabled") || HasAnnotationOrLabel(obj, "ssa", "Ignore")) {
    entry.action = Action::kSkipped;
    return entry;
  }
  kube::GroupVersionKind gvk = kube::GroupVersionKind::Of(obj);
  auto live = client_.Get(gvk, ref.ns, ref.name);
  if (!live.ok() && live.status().code() != absl::StatusCode::kNotFound) {
    return absl::Status(live.status().code(),
                        absl::StrCat(ref.Subject(), " dry-run failed: ", std::string(live.status().message())));
  }
  const bool exists = live.ok();
  if (exists) {
    if (HasAnnotationOrLabel(*live, "reconcile", "disabled") || HasAnnotationOrLabel(*live, "ssa", "Ignore") ||
        HasAnnotationOrLabel(obj, "ssa", "IfNotPresent")) {
      entry.action = Action::kSkipped;
      return entry;
    }
  }
  kube::ApplyOptions dry{owner_.field_manager, /*force=*/true, /*dry_run=*/true};
  auto dry_result = client_.Apply(obj, dry);
  if (!dry_result.ok()) {
    bool force = options.force || HasAnnotationOrLabel(obj, "force", "enabled") ||
                 (exists && HasAnnotationOrLabel(*live, "force", "enabled"));
    if (exists && force && LooksImmutable(dry_result.status())) {
      FLUX_RETURN_IF_ERROR(client_.Delete(gvk, ref.ns, ref.name, kube::PropagationPolicy::kBackground));
      auto deadline = std::chrono::steady_clock::now() + options.wait_timeout;
      while (client_.Get(gvk, ref.ns, ref.name).ok()) {
        if (std::chrono::steady_clock::now() > deadline) {
          return absl::DeadlineExceededError(absl::StrCat(ref.Subject(), " recreate failed: timeout waiting for deletion"));
        }
        std::this_thread::sleep_for(options.poll_interval);
      }
      FLUX_ASSIGN_OR_RETURN(auto created, client_.Apply(obj, {owner_.field_manager, true, false}));
      (void)created;
      entry.action = Action::kCreated;
      return entry;
    }
    std::string reason = kube::ReasonOf(dry_result.status());
    std::string detail = reason.empty() ? "" : absl::StrCat(" (", reason, ")");
    if (dry_result.status().code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(
          absl::StrCat(ref.Subject(), " not found: ", std::string(dry_result.status().message())));
    }
    return absl::Status(dry_result.status().code(), absl::StrCat(ref.Subject(), " dry-run failed", detail, ": ",
                                                                 std::string(dry_result.status().message())));
  }
  if (exists && ForComparison(*dry_result) == ForComparison(*live)) {
    entry.action = Action::kUnchanged;
    return entry;
  }
  auto applied = client_.Apply(obj, {owner_.field_manager, /*force=*/true, /*dry_run=*/false});
  if (!applied.ok()) {
    return absl::Status(applied.status().code(), absl::StrCat(ref.Subject(), " apply failed: ",
                                                              std::string(applied.status().message())));
  }
  entry.action = exists ? Action::kConfigured : Action::kCreated;
  return entry;
}

absl::Status ResourceManager::WaitReady(const std::vector<object::Value>& objects, const ApplyOptions& options) {
  auto deadline = std::chrono::steady_clock::now() + options.wait_timeout;
  for (const object::Value& obj : objects) {
    ObjectRef ref = ObjectRef::Of(obj);
    kube::GroupVersionKind gvk = kube::GroupVersionKind::Of(obj);
    while (true) {
      auto live = client_.Get(gvk, ref.ns, ref.name);
      bool ready = live.ok();
      if (ready && ref.kind == "CustomResourceDefinition") {
        ready = false;
        if (const object::Value* conds = object::Find(*live, {"status", "conditions"}); conds && conds->is_array()) {
          for (const auto& c : *conds) {
            if (object::GetString(c, {"type"}) == "Established" && object::GetString(c, {"status"}) == "True") {
              ready = true;
            }
          }
        }
      }
      if (ready) break;
      if (std::chrono::steady_clock::now() > deadline) {
        return absl::DeadlineExceededError(absl::StrCat("timeout waiting for ", ref.Subject(), " to become ready"));
      }
      std::this_thread::sleep_for(options.poll_interval);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ChangeSet> ResourceManager::ApplyAllStaged(std::vector<object::Value> objects,
                                                          const ApplyOptions& options) {
  for (object::Value& obj : objects) {
    auto& labels = object::Ensure(obj, {"metadata", "labels"});
    if (!labels.is_object()) labels = object::Value::object();
    labels[owner_.name_label] = owner_.name;
    labels[owner_.namespace_label] = owner_.ns;
    object::Erase(obj, {"metadata", "creationTimestamp"});
    if (ObjectRef::Of(obj).kind != "CustomResourceDefinition") object::Erase(obj, {"status"});
  }
  SortForApply(objects);
  ChangeSet changes;
  for (int stage : {1, 2, 4}) {
    std::vector<object::Value> batch;
    for (const auto& obj : objects) {
      if (Stage(ObjectRef::Of(obj)) == stage) batch.push_back(obj);
    }
    if (batch.empty()) continue;
    for (object::Value& obj : batch) {
      auto entry = ApplyOne(obj, options);
      if (!entry.ok()) {
        std::string applied = changes.ChangesSummary();
        if (applied.empty()) return entry.status();
        return absl::Status(entry.status().code(), absl::StrCat(std::string(entry.status().message()), "\n", applied));
      }
      changes.entries.push_back(*entry);
    }
    if (stage < 4) FLUX_RETURN_IF_ERROR(WaitReady(batch, options));
  }
  return changes;
}

absl::StatusOr<ChangeSet> ResourceManager::DeleteAll(const std::vector<ObjectRef>& stale) {
  ChangeSet changes;
  std::vector<std::string> failures;
  for (auto it = stale.rbegin(); it != stale.rend(); ++it) {
    const ObjectRef& ref = *it;
    kube::GroupVersionKind gvk{ref.group, ref.version, ref.kind};
    auto live = client_.Get(gvk, ref.ns, ref.name);
    if (!live.ok()) {
      if (live.status().code() == absl::StatusCode::kNotFound) {
        changes.entries.push_back({ref, Action::kDeleted});
      } else {
        failures.push_back(absl::StrCat(ref.Subject(), ": ", std::string(live.status().message())));
      }
      continue;
    }
    const object::Value* labels = object::Find(*live, {"metadata", "labels"});
    bool owned = labels != nullptr && labels->is_object() &&
                 object::GetString(*labels, {owner_.name_label}) == owner_.name &&
                 object::GetString(*labels, {owner_.namespace_label}) == owner_.ns;
    if (!owned || HasAnnotationOrLabel(*live, "prune", "disabled") ||
        HasAnnotationOrLabel(*live, "reconcile", "disabled") || HasAnnotationOrLabel(*live, "ssa", "Ignore")) {
      changes.entries.push_back({ref, Action::kSkipped});
      continue;
    }
    absl::Status s = client_.Delete(gvk, ref.ns, ref.name, kube::PropagationPolicy::kBackground);
    if (s.ok() || s.code() == absl::StatusCode::kNotFound) {
      changes.entries.push_back({ref, Action::kDeleted});
    } else {
      failures.push_back(absl::StrCat(ref.Subject(), ": ", std::string(s.message())));
    }
  }
  if (!failures.empty()) {
    return absl::InternalError(absl::StrCat("failed to delete objects:\n", absl::StrJoin(failures, "\n")));
  }
  return changes;
}

}  // namespace fluxcpp::ssa
