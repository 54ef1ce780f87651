#include "libs/ssa/resource_manager.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
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

// Managers whose entries are merged into ours (fluxcd/pkg/ssa cleanup).
struct ForeignManager {
  std::string name;
  std::string operation;  // "" = any
};

// The managed-fields entries of `live` (or those `cleanup` already replaces
// them with) with every apiVersion set to `api_version`; null when none differs.
object::Value MigratedManagedFields(const object::Value& live, const std::string& api_version,
                                    object::Value& cleanup) {
  object::Value* replaced = nullptr;
  if (cleanup.is_array()) {
    for (auto& op : cleanup) {
      if (object::GetString(op, {"path"}) == "/metadata/managedFields") replaced = &op["value"];
    }
  }
  const object::Value* entries = replaced != nullptr ? replaced : object::Find(live, {"metadata", "managedFields"});
  if (entries == nullptr || !entries->is_array()) return nullptr;
  bool changed = false;
  object::Value out = *entries;
  for (auto& entry : out) {
    if (entry.is_object() && entry.contains("apiVersion") && object::GetString(entry, {"apiVersion"}) != api_version) {
      entry["apiVersion"] = api_version;
      changed = true;
    }
  }
  if (!changed) return nullptr;
  if (replaced != nullptr) {  // fold into the cleanup's own replace
    *replaced = std::move(out);
    return nullptr;
  }
  return out;
}

// Removes `pointer` (RFC 6901) from `obj` if present.
void ErasePointer(object::Value& obj, const std::string& pointer) {
  try {
    object::Value::json_pointer ptr(pointer);
    if (!obj.contains(ptr)) return;
    object::Value& parent = obj.at(ptr.parent_pointer());
    std::string last = ptr.back();
    if (parent.is_object()) {
      parent.erase(last);
    } else if (parent.is_array()) {
      size_t idx = std::stoul(last);
      if (idx < parent.size()) parent.erase(parent.begin() + static_cast<std::ptrdiff_t>(idx));
    }
  } catch (const std::exception&) {
    // Malformed pointers select nothing.
  }
}

const object::Value* AtPointer(const object::Value& obj, const std::string& pointer) {
  try {
    object::Value::json_pointer ptr(pointer);
    if (!obj.contains(ptr)) return nullptr;
    return &obj.at(ptr);
  } catch (const std::exception&) {
    return nullptr;
  }
}

void SetPointer(object::Value& obj, const std::string& pointer, const object::Value& value) {
  try {
    obj[object::Value::json_pointer(pointer)] = value;
  } catch (const std::exception&) {
  }
}

// Removes fields that differ between any two reads of the same object.
object::Value ForComparison(object::Value obj, const std::vector<std::string>& ignore) {
  object::Erase(obj, {"metadata", "managedFields"});
  object::Erase(obj, {"metadata", "resourceVersion"});
  object::Erase(obj, {"metadata", "generation"});
  for (const auto& p : ignore) ErasePointer(obj, p);
  return obj;
}

bool LooksImmutable(const absl::Status& status) {
  std::string reason = kube::ReasonOf(status);
  std::string msg = absl::AsciiStrToLower(std::string(status.message()));
  return reason == "Invalid" || reason == "Conflict" || absl::StrContains(msg, "field is immutable") ||
         absl::StrContains(msg, "cannot change") || absl::StrContains(msg, "cannot be changed") ||
         absl::StrContains(msg, "immutable");
}

void DefaultPortProtocols(object::Value* ports) {
  if (ports == nullptr || !ports->is_array()) return;
  for (auto& port : *ports) {
    if (port.is_object() && !port.contains("protocol")) port["protocol"] = "TCP";
  }
}

void DefaultPodSpecPorts(object::Value* pod_spec) {
  if (pod_spec == nullptr || !pod_spec->is_object()) return;
  for (const char* list : {"containers", "initContainers"}) {
    auto it = pod_spec->find(list);
    if (it == pod_spec->end() || !it->is_array()) continue;
    for (auto& container : *it) {
      if (container.is_object() && container.contains("ports")) DefaultPortProtocols(&container["ports"]);
    }
  }
}

// Recursive union of two fieldsV1 sets.
void MergeFieldSets(object::Value& into, const object::Value& from) {
  if (!from.is_object()) return;
  if (!into.is_object()) into = object::Value::object();
  for (auto it = from.begin(); it != from.end(); ++it) {
    auto existing = into.find(it.key());
    if (existing == into.end()) {
      into[it.key()] = it.value();
    } else {
      MergeFieldSets(*existing, it.value());
    }
  }
}

std::string EscapePointerToken(const std::string& token) {
  return absl::StrReplaceAll(token, {{"~", "~0"}, {"/", "~1"}});
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

std::vector<ObjectRef> ChangeSet::AppliedRefs() const {
  std::vector<ObjectRef> refs;
  for (const auto& e : entries) {
    if (e.action != Action::kSkipped) refs.push_back(e.ref);
  }
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

void ResourceManager::Normalize(object::Value& obj) {
  object::Erase(obj, {"metadata", "creationTimestamp"});
  ObjectRef ref = ObjectRef::Of(obj);
  if (ref.kind != "CustomResourceDefinition") object::Erase(obj, {"status"});
  if (ref.group.empty() && ref.kind == "Secret") {
    if (const object::Value* sd = object::Find(obj, {"stringData"}); sd != nullptr && sd->is_object()) {
      object::Value& data = object::Ensure(obj, {"data"});
      if (!data.is_object()) data = object::Value::object();
      for (auto it = sd->begin(); it != sd->end(); ++it) {
        if (it.value().is_string()) data[it.key()] = absl::Base64Escape(it.value().get<std::string>());
      }
      object::Erase(obj, {"stringData"});
    }
  }
  if (ref.group.empty() && ref.kind == "Service") DefaultPortProtocols(object::FindMutable(obj, {"spec", "ports"}));
  if (ref.group.empty() && ref.kind == "Pod") DefaultPodSpecPorts(object::FindMutable(obj, {"spec"}));
  DefaultPodSpecPorts(object::FindMutable(obj, {"spec", "template", "spec"}));
  DefaultPodSpecPorts(object::FindMutable(obj, {"spec", "jobTemplate", "spec", "template", "spec"}));
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

int ResourceManager::StageOf(const ObjectRef& ref, const ApplyOptions& options) const {
  if ((ref.group == "apiextensions.k8s.io" && ref.kind == "CustomResourceDefinition") ||
      (ref.group.empty() && ref.kind == "Namespace") ||
      (ref.group == "rbac.authorization.k8s.io" && ref.kind == "ClusterRole")) {
    return 1;
  }
  if (absl::EndsWith(ref.kind, "Class")) return 2;
  for (const auto& [group, kind] : options.custom_stage_kinds) {
    if (group == ref.group && kind == ref.kind) return 3;
  }
  return 4;
}

object::Value ResourceManager::CleanupPatch(const object::Value& live, const ApplyOptions& options) const {
  object::Value ops = object::Value::array();
  if (HasAnnotationOrLabel(live, "ssa", "Merge")) return nullptr;
  if (const object::Value* ann = object::Find(live, {"metadata", "annotations"}); ann && ann->is_object()) {
    for (const char* key : {"kubectl.kubernetes.io/last-applied-configuration", "kustomize.toolkit.fluxcd.io/checksum",
                            "fluxcd.io/sync-checksum"}) {
      if (ann->contains(key)) {
        ops.push_back({{"op", "remove"}, {"path", "/metadata/annotations/" + EscapePointerToken(key)}});
      }
    }
  }
  if (const object::Value* labels = object::Find(live, {"metadata", "labels"}); labels && labels->is_object()) {
    if (labels->contains("fluxcd.io/sync-gc-mark")) {
      ops.push_back({{"op", "remove"}, {"path", "/metadata/labels/" + EscapePointerToken("fluxcd.io/sync-gc-mark")}});
    }
  }
  std::vector<ForeignManager> foreign = {{"kubectl", "Apply"},
                                         {"kubectl", "Update"},
                                         {"kubectl-client-side-apply", "Update"},
                                         {"before-first-apply", "Update"},
                                         {owner_.field_manager, "Update"}};
  for (const auto& m : options.override_managers) foreign.push_back({m, ""});
  const object::Value* mf = object::Find(live, {"metadata", "managedFields"});
  if (mf != nullptr && mf->is_array()) {
    object::Value kept = object::Value::array();
    object::Value merged = object::Value::object();
    object::Value ours;
    bool changed = false;
    for (const auto& entry : *mf) {
      std::string manager = object::GetString(entry, {"manager"});
      std::string operation = object::GetString(entry, {"operation"});
      std::string subresource = object::GetString(entry, {"subresource"});
      if (manager == owner_.field_manager && operation == "Apply" && subresource.empty()) {
        ours = entry;
        continue;
      }
      bool is_foreign = subresource.empty() && std::any_of(foreign.begin(), foreign.end(), [&](const ForeignManager& f) {
                          // Prefix match, as fluxcd/pkg/ssa: "kubectl" also covers kubectl-create,
                          // kubectl-edit, kubectl-client-side-apply, kubectl-patch...
                          return absl::StartsWith(manager, f.name) &&
                                 (f.operation.empty() || f.operation == operation);
                        });
      if (is_foreign) {
        if (const object::Value* fields = object::Find(entry, {"fieldsV1"})) MergeFieldSets(merged, *fields);
        changed = true;
      } else {
        kept.push_back(entry);
      }
    }
    if (changed) {
      if (ours.is_null()) {
        ours = {{"manager", owner_.field_manager},
                {"operation", "Apply"},
                {"apiVersion", object::GetString(live, {"apiVersion"})},
                {"fieldsType", "FieldsV1"},
                {"fieldsV1", object::Value::object()}};
        if (const object::Value* t = mf->empty() ? nullptr : object::Find((*mf)[0], {"time"})) ours["time"] = *t;
      }
      MergeFieldSets(ours["fieldsV1"], merged);
      kept.push_back(ours);
      ops.push_back({{"op", "replace"}, {"path", "/metadata/managedFields"}, {"value", kept}});
    }
  }
  if (ops.empty()) return nullptr;
  return ops;
}

ResourceManager::Plan ResourceManager::DryRun(object::Value obj, const ApplyOptions& options) {
  Plan plan;
  ObjectRef ref = ObjectRef::Of(obj);
  plan.entry = {ref, Action::kUnknown};
  if (HasAnnotationOrLabel(obj, "reconcile", "disabled") || HasAnnotationOrLabel(obj, "ssa", "Ignore")) {
    plan.entry.action = Action::kSkipped;
    return plan;
  }
  kube::GroupVersionKind gvk = kube::GroupVersionKind::Of(obj);
  std::vector<std::string> ignore;
  if (options.ignore_paths) ignore = options.ignore_paths(obj);

  // The live object is read only when it is needed: a dry-run that creates
  // (kube answers without a resourceVersion, nothing being stored) proves
  // there is none, which saves a GET per new object. With drift-ignore rules
  // the live values are needed before the dry-run.
  absl::StatusOr<object::Value> live = absl::UnknownError("not read");
  bool live_read = false;
  auto read_live = [&] {
    live = client_.Get(gvk, ref.ns, ref.name);
    live_read = true;
  };
  if (!ignore.empty()) read_live();
  // As Flux, a failed read (e.g. a tenant not allowed to get the object)
  // does not end the dry-run: the dry-run's own error, which names the verb
  // that matters (patch), is what gets reported. Only if the dry-run passes
  // is the read error returned.
  auto read_error = [&]() -> absl::Status {
    if (!live_read || live.ok() || live.status().code() == absl::StatusCode::kNotFound) return absl::OkStatus();
    std::string reason = kube::ReasonOf(live.status());
    return absl::Status(live.status().code(),
                        absl::StrCat(ref.Subject(), " dry-run failed", reason.empty() ? "" : " (" + reason + ")", ": ",
                                     std::string(live.status().message())));
  };
  // Skips decided by the live object (reconcile disabled, ssa: Ignore) or
  // by IfNotPresent on an existing one.
  auto skipped_by_live = [&] {
    return live.ok() && (HasAnnotationOrLabel(*live, "reconcile", "disabled") ||
                         HasAnnotationOrLabel(*live, "ssa", "Ignore") || HasAnnotationOrLabel(obj, "ssa", "IfNotPresent"));
  };
  if (live_read && skipped_by_live()) {
    plan.entry.action = Action::kSkipped;
    return plan;
  }
  if (live.ok() && !ignore.empty()) {
    // Ignored paths keep their live value (or are left out when absent).
    for (const auto& p : ignore) {
      if (const object::Value* v = AtPointer(*live, p); v != nullptr && !absl::StartsWith(p, "/metadata/managedFields")) {
        SetPointer(obj, p, *v);
      } else {
        ErasePointer(obj, p);
      }
    }
  }
  plan.desired = obj;
  kube::ApplyOptions dry{owner_.field_manager, /*force=*/true, /*dry_run=*/true};
  auto dry_result = client_.Apply(obj, dry);
  if (!dry_result.ok()) {
    if (!live_read) read_live();
    if (skipped_by_live()) {
      plan.entry.action = Action::kSkipped;
      return plan;
    }
    plan.exists = live.ok();
    bool force = options.force || HasAnnotationOrLabel(obj, "force", "enabled") ||
                 (plan.exists && HasAnnotationOrLabel(*live, "force", "enabled"));
    if (plan.exists && force && LooksImmutable(dry_result.status())) {
      plan.recreate = true;
      plan.apply = true;
      return plan;
    }
    std::string reason = kube::ReasonOf(dry_result.status());
    std::string detail = reason.empty() ? "" : absl::StrCat(" (", reason, ")");
    if (dry_result.status().code() == absl::StatusCode::kNotFound) {
      plan.error = absl::NotFoundError(
          absl::StrCat(ref.Subject(), " not found: ", std::string(dry_result.status().message())));
    } else {
      plan.error = absl::Status(dry_result.status().code(), absl::StrCat(ref.Subject(), " dry-run failed", detail,
                                                                         ": ", std::string(dry_result.status().message())));
    }
    return plan;
  }
  if (!live_read) {
    if (object::GetString(*dry_result, {"metadata", "resourceVersion"}).empty()) {
      plan.apply = true;  // a create
      return plan;
    }
    read_live();
    if (skipped_by_live()) {
      plan.entry.action = Action::kSkipped;
      return plan;
    }
  }
  if (absl::Status s = read_error(); !s.ok()) {
    plan.error = s;
    return plan;
  }
  plan.exists = live.ok();
  if (plan.exists && !HasAnnotationOrLabel(obj, "ssa", "Merge")) plan.cleanup = CleanupPatch(*live, options);
  if (plan.exists && options.migrate_api_version) {
    // MigrateAPIVersion: every managed-fields entry moves to the applied apiVersion.
    object::Value migrated = MigratedManagedFields(*live, object::GetString(obj, {"apiVersion"}), plan.cleanup);
    if (!migrated.is_null()) {
      if (plan.cleanup.is_null()) plan.cleanup = object::Value::array();
      plan.cleanup.push_back({{"op", "replace"}, {"path", "/metadata/managedFields"}, {"value", std::move(migrated)}});
    }
  }
  if (plan.exists && plan.cleanup.is_null() && ForComparison(*dry_result, ignore) == ForComparison(*live, ignore)) {
    plan.entry.action = Action::kUnchanged;
    return plan;
  }
  plan.apply = true;
  return plan;
}

absl::StatusOr<ChangeSetEntry> ResourceManager::Execute(Plan& plan, const ApplyOptions& options) {
  if (!plan.apply) return plan.entry;
  const ObjectRef& ref = plan.entry.ref;
  kube::GroupVersionKind gvk = kube::GroupVersionKind::Of(plan.desired);
  if (plan.recreate) {
    absl::Status del = client_.Delete(gvk, ref.ns, ref.name, kube::PropagationPolicy::kBackground);
    if (!del.ok() && del.code() != absl::StatusCode::kNotFound) {
      return absl::Status(del.code(), absl::StrCat(ref.Subject(), " recreate failed: ", std::string(del.message())));
    }
    auto deadline = std::chrono::steady_clock::now() + options.wait_timeout;
    while (client_.Get(gvk, ref.ns, ref.name).ok()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return absl::DeadlineExceededError(absl::StrCat(ref.Subject(), " recreate failed: timeout waiting for deletion"));
      }
      std::this_thread::sleep_for(options.poll_interval);
    }
    auto created = client_.Apply(plan.desired, {owner_.field_manager, true, false});
    if (!created.ok()) {
      return absl::Status(created.status().code(), absl::StrCat(ref.Subject(), " apply failed: ",
                                                                std::string(created.status().message())));
    }
    plan.entry.action = Action::kCreated;
    return plan.entry;
  }
  if (!plan.cleanup.is_null()) {
    auto patched = client_.Patch(gvk, ref.ns, ref.name, kube::PatchType::kJson, plan.cleanup,
                                 kube::WriteOptions{owner_.field_manager, false});
    if (!patched.ok() && patched.status().code() != absl::StatusCode::kNotFound) {
      return absl::Status(patched.status().code(), absl::StrCat(ref.Subject(), " metadata cleanup failed: ",
                                                                std::string(patched.status().message())));
    }
  }
  auto applied = client_.Apply(plan.desired, {owner_.field_manager, /*force=*/true, /*dry_run=*/false});
  if (!applied.ok()) {
    return absl::Status(applied.status().code(), absl::StrCat(ref.Subject(), " apply failed: ",
                                                              std::string(applied.status().message())));
  }
  plan.entry.action = plan.exists ? Action::kConfigured : Action::kCreated;
  return plan.entry;
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
    Normalize(obj);
  }
  SortForApply(objects);
  ChangeSet changes;
  auto with_applied = [&](const absl::Status& s) {
    std::string applied = changes.ChangesSummary();
    if (applied.empty()) return s;
    return absl::Status(s.code(), absl::StrCat(std::string(s.message()), "\n", applied));
  };
  for (int stage : {1, 2, 3, 4}) {
    std::vector<object::Value> batch;
    for (const auto& obj : objects) {
      if (StageOf(ObjectRef::Of(obj), options) == stage) batch.push_back(obj);
    }
    if (batch.empty()) continue;
    // Dry-runs, concurrently; results kept in apply order.
    std::vector<Plan> plans(batch.size());
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i = next++; i < batch.size(); i = next++) plans[i] = DryRun(batch[i], options);
    };
    size_t threads = std::min<size_t>(std::max(1, options.concurrency), batch.size());
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    for (const Plan& plan : plans) {
      if (!plan.error.ok()) return with_applied(plan.error);
    }
    for (Plan& plan : plans) {
      auto entry = Execute(plan, options);
      if (!entry.ok()) return with_applied(entry.status());
      changes.entries.push_back(*entry);
    }
    if (stage < 3) {
      if (absl::Status s = WaitReady(batch, options); !s.ok()) return with_applied(s);
    }
  }
  return changes;
}

absl::StatusOr<ChangeSet> ResourceManager::DeleteAll(const std::vector<ObjectRef>& stale,
                                                     std::vector<ObjectRef>* failed) {
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
        if (failed != nullptr) failed->push_back(ref);
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
      if (failed != nullptr) failed->push_back(ref);
    }
  }
  if (!failures.empty()) {
    return absl::InternalError(absl::StrCat("failed to delete objects:\n", absl::StrJoin(failures, "\n")));
  }
  return changes;
}

absl::Status ResourceManager::WaitForTermination(const std::vector<ObjectRef>& refs, std::chrono::milliseconds timeout,
                                                 std::chrono::milliseconds poll) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::vector<std::string> alive;
    for (const auto& ref : refs) {
      if (client_.Get(kube::GroupVersionKind{ref.group, ref.version, ref.kind}, ref.ns, ref.name).ok()) {
        alive.push_back(ref.Subject());
      }
    }
    if (alive.empty()) return absl::OkStatus();
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("timeout waiting for termination of: [", absl::StrJoin(alive, ", "), "]"));
    }
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace fluxcpp::ssa
