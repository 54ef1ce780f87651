#include "services/kustomize-controller/cached_reader.h"

namespace fluxcpp::kustomize_controller {

absl::StatusOr<object::Value> CachedReader::GetKustomization(const kube::GroupVersionKind& gvk, const std::string& ns,
                                                             const std::string& name) {
  if (kustomizations_ != nullptr) {
    const std::string key = ns + "/" + name;
    if (runtime::ObjectPtr cached = kustomizations_->Get(key)) {
      const std::string rv = object::GetString(*cached, {"metadata", "resourceVersion"});
      bool trusted;
      {
        absl::MutexLock lock(&mu_);
        auto it = last_seen_.find(key);
        trusted = it == last_seen_.end() || it->second == rv;
      }
      if (trusted) return *cached;
    }
  }
  return client_->Get(gvk, ns, name);
}

absl::StatusOr<object::Value> CachedReader::GetSource(const kube::GroupVersionKind& gvk, const std::string& ns,
                                                      const std::string& name) {
  if (auto it = sources_.find(gvk.kind); it != sources_.end() && it->second != nullptr) {
    if (runtime::ObjectPtr cached = it->second->Get(ns + "/" + name)) return *cached;
  }
  return client_->Get(gvk, ns, name);
}

void CachedReader::Remember(const std::string& key, const std::string& resource_version) {
  absl::MutexLock lock(&mu_);
  if (resource_version.empty()) {
    last_seen_.erase(key);
  } else {
    last_seen_[key] = resource_version;
  }
}

}  // namespace fluxcpp::kustomize_controller
