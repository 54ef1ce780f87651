#include "libs/runtime/finalizers.h"

#include "libs/runtime/object_meta.h"

namespace fluxcpp::runtime {
namespace {

constexpr int kMaxAttempts = 6;

object::Value FinalizersOf(const object::Value& obj) {
  const object::Value* f = object::Find(obj, {"metadata", "finalizers"});
  return f != nullptr && f->is_array() ? *f : object::Value::array();
}

// Patches metadata.finalizers to `edit(current)` until it sticks.
template <typename Edit>
absl::Status UpdateFinalizers(kube::Client& client, object::Value& obj, Edit edit, bool ignore_not_found) {
  kube::GroupVersionKind gvk = GvkOf(obj);
  std::string ns = NamespaceOf(obj), name = NameOf(obj);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    object::Value current = FinalizersOf(obj);
    absl::StatusOr<object::Value> wanted = edit(obj, current);
    if (!wanted.ok()) return wanted.status();
    if (*wanted == current) return absl::OkStatus();
    object::Value patch = {{"metadata", {{"finalizers", *wanted}}}};
    std::string rv = ResourceVersionOf(obj);
    if (!rv.empty()) patch["metadata"]["resourceVersion"] = rv;
    absl::StatusOr<object::Value> res = client.Patch(gvk, ns, name, kube::PatchType::kMerge, patch);
    if (res.ok()) {
      obj["metadata"]["finalizers"] = FinalizersOf(*res);
      std::string new_rv = ResourceVersionOf(*res);
      if (!new_rv.empty()) obj["metadata"]["resourceVersion"] = new_rv;
      return absl::OkStatus();
    }
    if (absl::IsNotFound(res.status()) && ignore_not_found) return absl::OkStatus();
    if (!absl::IsAborted(res.status())) return res.status();
    absl::StatusOr<object::Value> latest = client.Get(gvk, ns, name);
    if (absl::IsNotFound(latest.status()) && ignore_not_found) return absl::OkStatus();
    if (!latest.ok()) return latest.status();
    obj["metadata"]["finalizers"] = FinalizersOf(*latest);
    obj["metadata"]["resourceVersion"] = ResourceVersionOf(*latest);
    if (const object::Value* ts = object::Find(*latest, {"metadata", "deletionTimestamp"})) {
      obj["metadata"]["deletionTimestamp"] = *ts;
    }
  }
  return absl::AbortedError("finalizer update kept conflicting");
}

}  // namespace

bool HasFinalizer(const object::Value& obj, std::string_view finalizer) {
  for (const auto& f : FinalizersOf(obj)) {
    if (f.is_string() && f.get<std::string>() == finalizer) return true;
  }
  return false;
}

absl::Status AddFinalizer(kube::Client& client, object::Value& obj, std::string_view finalizer) {
  return UpdateFinalizers(
      client, obj,
      [&](const object::Value& o, const object::Value& current) -> absl::StatusOr<object::Value> {
        for (const auto& f : current) {
          if (f == finalizer) return current;
        }
        const object::Value* ts = object::Find(o, {"metadata", "deletionTimestamp"});
        if (ts != nullptr && !ts->is_null()) {
          return absl::FailedPreconditionError("cannot add a finalizer to an object being deleted");
        }
        object::Value out = current;
        out.push_back(std::string(finalizer));
        return out;
      },
      /*ignore_not_found=*/false);
}

absl::Status RemoveFinalizer(kube::Client& client, object::Value& obj, std::string_view finalizer) {
  return UpdateFinalizers(
      client, obj,
      [&](const object::Value&, const object::Value& current) -> absl::StatusOr<object::Value> {
        object::Value out = object::Value::array();
        for (const auto& f : current) {
          if (f != finalizer) out.push_back(f);
        }
        return out;
      },
      /*ignore_not_found=*/true);
}

}  // namespace fluxcpp::runtime
