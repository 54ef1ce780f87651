#pragma once
// Reads of the Kustomization being reconciled and of its source from the
// controller's informer caches instead of the API server (as Flux reads
// through controller-runtime's cache), falling back to a live GET when the
// cache cannot be trusted:
//   - the object is not (yet) in the cache;
//   - for Kustomizations: the cached resourceVersion differs from the one
//     this controller last wrote or read for that key (Remember), i.e. the
//     cache may be older than our own last write. Another writer's change
//     also falls back once; equal versions mean the cache is current as far
//     as we know. (Status patches carry the resourceVersion, so even a stale
//     read costs a conflict and a retry, never a lost update.)
// Without informers (tests) every read is a GET.
//
// Thread-safe; informers are set once before the workers start.

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"
#include "libs/runtime/informer.h"

namespace fluxcpp::kustomize_controller {

class CachedReader {
 public:
  explicit CachedReader(kube::Client* client) : client_(client) {}

  // The Kustomization informer and the source informers by kind. Call
  // before the first Get.
  void SetKustomizations(runtime::Informer* informer) { kustomizations_ = informer; }
  void SetSource(const std::string& kind, std::shared_ptr<runtime::Informer> informer) {
    sources_[kind] = std::move(informer);
  }

  // True when Kustomizations are read from an informer, whose watch
  // delivers every change of ours (e.g. an added finalizer) as an event.
  bool caches_kustomizations() const { return kustomizations_ != nullptr; }

  // The Kustomization `ns/name` (cache or GET); NotFound when gone.
  absl::StatusOr<object::Value> GetKustomization(const kube::GroupVersionKind& gvk, const std::string& ns,
                                                 const std::string& name);
  // A source object (cache or GET).
  absl::StatusOr<object::Value> GetSource(const kube::GroupVersionKind& gvk, const std::string& ns,
                                          const std::string& name);

  // The newest copy of Kustomization `key` this controller has seen (after
  // its own writes); "" forgets the key.
  void Remember(const std::string& key, const std::string& resource_version);

 private:
  kube::Client* client_;
  runtime::Informer* kustomizations_ = nullptr;
  std::map<std::string, std::shared_ptr<runtime::Informer>> sources_;
  absl::Mutex mu_;
  std::map<std::string, std::string> last_seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fluxcpp::kustomize_controller
