#pragma once
// The background controllers kube-controller-manager would run for the
// objects in this server:
//  - garbage collection: dependents whose every owner (ownerReferences uid)
//    is gone are deleted (background propagation); references to deleted
//    owners are dropped from dependents that still have a live owner;
//  - foreground deletion ("foregroundDeletion" finalizer): dependents are
//    deleted first, then the finalizer is removed;
//  - orphaning ("orphan" finalizer): dependents lose their reference to the
//    owner, then the finalizer is removed;
//  - namespace deletion: every object in a Terminating namespace is deleted,
//    then the namespace itself once empty;
//  - CRD deletion: every custom resource of the CRD is deleted, then the
//    cleanup finalizer is removed (which unregisters the resource).
// Objects held by other finalizers stay until their owner removes them.
//
// Thread-safe; one worker thread. Notifications are cheap and non-blocking.

#include <deque>
#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "tools/dev-apiserver/object_service.h"

namespace fluxcpp::devapiserver {

class GarbageCollector : public DeletionObserver {
 public:
  explicit GarbageCollector(ObjectService& service) : service_(service) {}
  ~GarbageCollector() override { Stop(); }

  void Start();
  void Stop();

  void OnDeleted(const ObjectKey& key, const std::string& uid) override;
  void OnTerminating(const ObjectKey& key) override;

  // One synchronous pass over queued work (and a dangling-owner sweep).
  void RunOnce(bool sweep);

 private:
  void Loop();
  void ProcessDeletedOwner(const std::string& uid);
  // True while the object still waits for something.
  bool ProcessTerminating(const ObjectKey& key);
  void SweepDangling();
  void DeleteObject(const ObjectKey& key);

  ObjectService& service_;
  absl::Mutex mu_;
  std::deque<std::string> deleted_uids_ ABSL_GUARDED_BY(mu_);
  std::set<ObjectKey> terminating_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool kicked_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace fluxcpp::devapiserver
