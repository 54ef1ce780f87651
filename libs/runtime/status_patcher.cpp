#include "libs/runtime/status_patcher.h"

#include <map>

#include "libs/runtime/conditions.h"
#include "libs/runtime/object_meta.h"
#include "libs/runtime/predicates.h"

namespace fluxcpp::runtime {
namespace {

object::Value StatusOf(const object::Value& obj) {
  const object::Value* s = object::Find(obj, {"status"});
  return s != nullptr && s->is_object() ? *s : object::Value::object();
}

std::map<std::string, object::Value> ConditionsByType(const object::Value& status) {
  std::map<std::string, object::Value> out;
  auto it = status.find("conditions");
  if (it == status.end() || !it->is_array()) return out;
  for (const auto& c : *it) {
    if (c.is_object() && c.contains("type") && c["type"].is_string()) out[c["type"].get<std::string>()] = c;
  }
  return out;
}

// Re-applies our change (before → after) on top of `latest` status.
object::Value Rebase(const object::Value& before, const object::Value& after, const object::Value& latest) {
  object::Value patch = StatusPatcher::CreateMergePatch(before, after);
  bool conditions_changed = patch.contains("conditions");
  patch.erase("conditions");
  object::Value out = latest;
  out.merge_patch(patch);
  if (!conditions_changed) return out;

  auto b = ConditionsByType(before), a = ConditionsByType(after), l = ConditionsByType(latest);
  object::Value list = object::Value::array();
  // Keep latest's order for what stays, then sort like Set() does.
  if (auto it = latest.find("conditions"); it != latest.end() && it->is_array()) {
    for (const auto& c : *it) {
      std::string type = c.value("type", "");
      bool ours_removed = b.count(type) > 0 && a.count(type) == 0;
      if (ours_removed) continue;
      bool ours_changed = a.count(type) > 0 && (b.count(type) == 0 || b[type] != a[type]);
      list.push_back(ours_changed ? a[type] : c);
    }
  }
  for (const auto& [type, c] : a) {
    bool ours_changed = b.count(type) == 0 || b[type] != c;
    if (ours_changed && l.count(type) == 0) list.push_back(c);
  }
  object::Value holder = {{"status", {{"conditions", list}}}};
  conditions::Sort(holder);
  out["conditions"] = holder["status"]["conditions"];
  return out;
}

}  // namespace

StatusPatcher::StatusPatcher(kube::Client& client, const object::Value& obj, StatusPatcherOptions options)
    : client_(client),
      options_(std::move(options)),
      gvk_(GvkOf(obj)),
      ns_(NamespaceOf(obj)),
      name_(NameOf(obj)),
      before_status_(StatusOf(obj)) {}

object::Value StatusPatcher::CreateMergePatch(const object::Value& from, const object::Value& to) {
  if (!from.is_object() || !to.is_object()) return to;
  object::Value patch = object::Value::object();
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (!to.contains(it.key())) patch[it.key()] = nullptr;
  }
  for (auto it = to.begin(); it != to.end(); ++it) {
    auto prev = from.find(it.key());
    if (prev == from.end()) {
      patch[it.key()] = it.value();
    } else if (*prev != it.value()) {
      if (prev->is_object() && it.value().is_object()) {
        patch[it.key()] = CreateMergePatch(*prev, it.value());
      } else {
        patch[it.key()] = it.value();
      }
    }
  }
  return patch;
}

absl::Status StatusPatcher::Patch(object::Value& obj, const PatchOptions& options) {
  if (options.set_observed_generation) {
    object::Ensure(obj, {"status", "observedGeneration"}) = object::GetInt(obj, {"metadata", "generation"});
  }
  if (options.handle_reconcile_request) {
    std::string requested = AnnotationOf(obj, kReconcileRequestAnnotation);
    if (!requested.empty()) object::Ensure(obj, {"status", "lastHandledReconcileAt"}) = requested;
  }
  return PatchStatus(obj);
}

absl::Status StatusPatcher::PatchNow(object::Value& obj) { return PatchStatus(obj); }

absl::Status StatusPatcher::PatchStatus(object::Value& obj) {
  kube::WriteOptions write;
  write.field_manager = options_.field_manager;
  for (int attempt = 0;; ++attempt) {
    object::Value after = StatusOf(obj);
    object::Value diff = CreateMergePatch(before_status_, after);
    if (diff.empty()) return absl::OkStatus();
    object::Value body = object::Value::object();
    std::string rv = ResourceVersionOf(obj);
    if (!rv.empty()) body["metadata"]["resourceVersion"] = rv;
    body["status"] = diff;
    ++patches_sent_;
    absl::StatusOr<object::Value> res = client_.Patch(gvk_, ns_, name_, kube::PatchType::kMerge, body, write, "status");
    if (res.ok()) {
      before_status_ = StatusOf(*res);
      obj["status"] = before_status_;
      std::string new_rv = ResourceVersionOf(*res);
      if (!new_rv.empty()) obj["metadata"]["resourceVersion"] = new_rv;
      return absl::OkStatus();
    }
    if (absl::IsNotFound(res.status())) return absl::OkStatus();  // gone: nothing left to report on
    if (!absl::IsAborted(res.status()) || attempt >= options_.max_conflict_retries) return res.status();
    absl::StatusOr<object::Value> latest = client_.Get(gvk_, ns_, name_);
    if (absl::IsNotFound(latest.status())) return absl::OkStatus();
    if (!latest.ok()) return latest.status();
    object::Value latest_status = StatusOf(*latest);
    obj["status"] = Rebase(before_status_, after, latest_status);
    obj["metadata"]["resourceVersion"] = ResourceVersionOf(*latest);
    before_status_ = latest_status;
  }
}

}  // namespace fluxcpp::runtime
