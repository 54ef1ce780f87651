#include "tools/dev-apiserver/garbage_collector.h"

#include <algorithm>
#include <vector>

#include "absl/time/clock.h"
#include "libs/core/logger.h"
#include "tools/dev-apiserver/strategy.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

constexpr const char* kCrdFinalizer = "customresourcecleanup.apiextensions.k8s.io";

bool RemoveFinalizer(Value& obj, const std::string& finalizer) {
  Value* f = object::FindMutable(obj, {"metadata", "finalizers"});
  if (f == nullptr || !f->is_array()) return false;
  auto it = std::find(f->begin(), f->end(), Value(finalizer));
  if (it == f->end()) return false;
  f->erase(it);
  if (f->empty()) obj["metadata"].erase("finalizers");
  return true;
}

bool HasFinalizer(const Value& obj, const std::string& finalizer) {
  const Value* f = object::Find(obj, {"metadata", "finalizers"});
  return f != nullptr && f->is_array() && std::find(f->begin(), f->end(), Value(finalizer)) != f->end();
}

bool Terminating(const Value& obj) {
  const Value* ts = object::Find(obj, {"metadata", "deletionTimestamp"});
  return ts != nullptr && !ts->is_null();
}

}  // namespace

void GarbageCollector::Start() {
  absl::MutexLock lock(&mu_);
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void GarbageCollector::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void GarbageCollector::OnDeleted(const ObjectKey& key, const std::string& uid) {
  absl::MutexLock lock(&mu_);
  if (!uid.empty()) deleted_uids_.push_back(uid);
  terminating_.erase(key);
  kicked_ = true;
}

void GarbageCollector::OnTerminating(const ObjectKey& key) {
  absl::MutexLock lock(&mu_);
  terminating_.insert(key);
  kicked_ = true;
}

void GarbageCollector::Loop() {
  absl::Time last_sweep = absl::Now();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || kicked_; };
      mu_.AwaitWithTimeout(absl::Condition(&wake), absl::Milliseconds(500));
      if (stop_) return;
      kicked_ = false;
    }
    bool sweep = absl::Now() - last_sweep > absl::Seconds(5);
    if (sweep) last_sweep = absl::Now();
    try {
      RunOnce(sweep);
    } catch (const std::exception& e) {
      Logger().Error("garbage collector pass failed", {{"error", e.what()}});
    }
  }
}

void GarbageCollector::RunOnce(bool sweep) {
  std::deque<std::string> uids;
  std::set<ObjectKey> pending;
  {
    absl::MutexLock lock(&mu_);
    uids.swap(deleted_uids_);
    pending = terminating_;
  }
  for (const std::string& uid : uids) ProcessDeletedOwner(uid);
  for (const ObjectKey& key : pending) {
    if (!ProcessTerminating(key)) {
      absl::MutexLock lock(&mu_);
      terminating_.erase(key);
    }
  }
  if (sweep) SweepDangling();
}

void GarbageCollector::DeleteObject(const ObjectKey& key) {
  ResourcePtr r = service_.ResourceFor(key.resource);
  if (r == nullptr) return;
  RequestScope scope{r, key.ns, key.name, "", "garbage-collector", false};
  auto result = service_.Delete(scope, {"Background", "", ""});
  if (!result.ok() && result.status().code() != absl::StatusCode::kNotFound) {
    Logger().Error("garbage collector delete failed",
                   {{"object", key.resource + "/" + key.ns + "/" + key.name},
                    {"error", std::string(result.status().message())}});
  }
}

void GarbageCollector::ProcessDeletedOwner(const std::string& uid) {
  Store& store = service_.store();
  for (const ObjectKey& key : store.DependentsOf(uid)) {
    auto stored = store.Get(key.resource, key.ns, key.name);
    if (!stored.has_value()) continue;
    auto obj = object::ParseJson(*stored->json);
    if (!obj.ok()) continue;
    bool live_owner = false;
    for (const std::string& owner : stored->owner_uids) {
      if (owner != uid && store.UidExists(owner)) live_owner = true;
    }
    if (!live_owner) {
      if (!Terminating(*obj)) DeleteObject(key);
      continue;
    }
    ResourcePtr r = service_.ResourceFor(key.resource);
    if (r == nullptr) continue;
    (void)service_.Modify(*r, key.ns, key.name, "garbage-collector", [&](Value& o) {
      Value* refs = object::FindMutable(o, {"metadata", "ownerReferences"});
      if (refs == nullptr || !refs->is_array()) return false;
      Value kept = Value::array();
      for (const Value& ref : *refs) {
        std::string ref_uid = ref.value("uid", "");
        if (ref_uid == uid || !service_.store().UidExists(ref_uid)) continue;
        kept.push_back(ref);
      }
      if (kept.size() == refs->size()) return false;
      *refs = std::move(kept);
      return true;
    });
  }
}

bool GarbageCollector::ProcessTerminating(const ObjectKey& key) {
  Store& store = service_.store();
  ResourcePtr r = service_.ResourceFor(key.resource);
  if (r == nullptr) return false;
  auto stored = store.Get(key.resource, key.ns, key.name);
  if (!stored.has_value()) return false;
  auto parsed = object::ParseJson(*stored->json);
  if (!parsed.ok() || !Terminating(*parsed)) return false;
  Value& obj = *parsed;
  const std::string uid = object::GetString(obj, {"metadata", "uid"});

  if (IsNamespaceResource(*r)) {
    std::vector<ObjectKey> contents = store.KeysInNamespace(key.name);
    for (const ObjectKey& k : contents) {
      auto child = store.Get(k.resource, k.ns, k.name);
      if (!child.has_value() || child->json->find("\"deletionTimestamp\"") != std::string::npos) continue;
      DeleteObject(k);
    }
    if (!store.KeysInNamespace(key.name).empty()) return true;
    if (object::Find(obj, {"metadata", "finalizers"}) != nullptr &&
        !object::Find(obj, {"metadata", "finalizers"})->empty()) {
      return true;
    }
    (void)service_.ForceRemove(*r, "", key.name);
    return false;
  }

  if (IsCrdResource(*r) && HasFinalizer(obj, kCrdFinalizer)) {
    std::string group = object::GetString(obj, {"spec", "group"});
    std::string plural = object::GetString(obj, {"spec", "names", "plural"});
    std::string group_resource = plural + "." + group;
    std::vector<ObjectKey> instances = store.KeysOf(group_resource);
    for (const ObjectKey& k : instances) {
      auto child = store.Get(k.resource, k.ns, k.name);
      if (!child.has_value() || child->json->find("\"deletionTimestamp\"") != std::string::npos) continue;
      DeleteObject(k);
    }
    if (!store.KeysOf(group_resource).empty()) return true;
    (void)service_.Modify(*r, "", key.name, "apiextensions-controller",
                          [](Value& o) { return RemoveFinalizer(o, kCrdFinalizer); });
    return store.Get(key.resource, key.ns, key.name).has_value();
  }

  if (HasFinalizer(obj, "orphan")) {
    for (const ObjectKey& k : store.DependentsOf(uid)) {
      ResourcePtr dr = service_.ResourceFor(k.resource);
      if (dr == nullptr) continue;
      (void)service_.Modify(*dr, k.ns, k.name, "garbage-collector", [&](Value& o) {
        Value* refs = object::FindMutable(o, {"metadata", "ownerReferences"});
        if (refs == nullptr || !refs->is_array()) return false;
        Value kept = Value::array();
        for (const Value& ref : *refs) {
          if (ref.value("uid", "") != uid) kept.push_back(ref);
        }
        if (kept.size() == refs->size()) return false;
        if (kept.empty()) {
          o["metadata"].erase("ownerReferences");
        } else {
          *refs = std::move(kept);
        }
        return true;
      });
    }
    if (store.DependentsOf(uid).empty()) {
      (void)service_.Modify(*r, key.ns, key.name, "garbage-collector",
                            [](Value& o) { return RemoveFinalizer(o, "orphan"); });
    }
    return store.Get(key.resource, key.ns, key.name).has_value();
  }

  if (HasFinalizer(obj, "foregroundDeletion")) {
    std::vector<ObjectKey> dependents = store.DependentsOf(uid);
    for (const ObjectKey& k : dependents) {
      auto child = store.Get(k.resource, k.ns, k.name);
      if (!child.has_value() || child->json->find("\"deletionTimestamp\"") != std::string::npos) continue;
      DeleteObject(k);
    }
    if (store.DependentsOf(uid).empty()) {
      (void)service_.Modify(*r, key.ns, key.name, "garbage-collector",
                            [](Value& o) { return RemoveFinalizer(o, "foregroundDeletion"); });
    }
    return store.Get(key.resource, key.ns, key.name).has_value();
  }
  // Held by other finalizers: their owners act; nothing for us to do.
  return false;
}

void GarbageCollector::SweepDangling() {
  Store& store = service_.store();
  std::set<std::string> missing;
  for (const ObjectKey& key : store.ObjectsWithOwners()) {
    auto stored = store.Get(key.resource, key.ns, key.name);
    if (!stored.has_value()) continue;
    for (const std::string& owner : stored->owner_uids) {
      if (!store.UidExists(owner)) missing.insert(owner);
    }
  }
  for (const std::string& uid : missing) ProcessDeletedOwner(uid);
}

}  // namespace fluxcpp::devapiserver
