#pragma once
// The set of served resources: the built-in table plus the versions of every
// established CustomResourceDefinition. Discovery, routing and the storage
// layer all resolve resources here.
//
// Thread-safe: lookups take a shared lock and return shared, immutable
// ResourceInfo; CRD (un)registration swaps entries under an exclusive lock,
// so a request keeps the ResourceInfo it resolved even if the CRD changes.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "tools/dev-apiserver/resource_info.h"

namespace fluxcpp::devapiserver {

// Orders Kubernetes version strings the way discovery does: GA before beta
// before alpha, higher numbers first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1),
// then non-kube-like versions alphabetically. True when a sorts before b.
bool KubeVersionLess(const std::string& a, const std::string& b);

class ResourceRegistry {
 public:
  ResourceRegistry();

  struct GroupVersions {
    std::string group;
    std::vector<std::string> versions;  // preferred first
  };

  // By group/version/plural; nullptr when not served.
  ResourcePtr Find(const std::string& group, const std::string& version, const std::string& plural) const;
  // By group/version/kind; nullptr when not served.
  ResourcePtr FindByKind(const std::string& group, const std::string& version, const std::string& kind) const;
  // Any served version of group/plural (the preferred one), for storage-wide work.
  ResourcePtr FindAnyVersion(const std::string& group, const std::string& plural) const;
  // Every served resource of one group/version, in registration order.
  std::vector<ResourcePtr> InGroupVersion(const std::string& group, const std::string& version) const;
  // Every served resource (all versions).
  std::vector<ResourcePtr> All() const;
  // Groups in discovery order ("" = core first), each with its versions.
  std::vector<GroupVersions> Groups() const;
  bool HasGroupVersion(const std::string& group, const std::string& version) const;

  // Replaces the resources served for CRD `crd_name` (all its served versions).
  void SetCustom(const std::string& crd_name, std::vector<ResourceInfo> versions);
  void RemoveCustom(const std::string& crd_name);

 private:
  // An immutable view of every served resource with lookup indexes; replaced
  // wholesale (copy-on-write) when CRDs change, so lookups hold no lock
  // while they read it.
  struct Snapshot {
    std::vector<ResourcePtr> all;
    std::map<std::string, ResourcePtr> by_plural;  // "group/version/plural"
    std::map<std::string, ResourcePtr> by_kind;    // "group/version/kind"
  };
  std::shared_ptr<const Snapshot> Current() const;
  void Rebuild() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<ResourcePtr> builtin_;  // immutable after construction
  std::map<std::string, std::vector<ResourcePtr>> custom_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> custom_order_ ABSL_GUARDED_BY(mu_);  // CRD names, first registration order
  std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fluxcpp::devapiserver
