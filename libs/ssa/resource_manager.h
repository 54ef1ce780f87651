#pragma once
// Staged server-side apply, drift detection, and garbage collection in the
// way of fluxcd/pkg/ssa: what kustomize-controller (and later helm-controller)
// do to make the cluster match a set of objects.
//
// Thread-compatible: one ResourceManager per reconcile; the Client it uses is
// thread-safe and shared (dry-runs of one stage run on several threads).

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"
#include "libs/ssa/object_ref.h"

namespace fluxcpp::ssa {

enum class Action { kCreated, kConfigured, kUnchanged, kDeleted, kSkipped, kUnknown };
std::string ActionName(Action action);

struct ChangeSetEntry {
  ObjectRef ref;
  Action action = Action::kUnknown;
  std::string Line() const { return ref.Subject() + " " + ActionName(action); }
};

struct ChangeSet {
  std::vector<ChangeSetEntry> entries;
  // True when something was created, configured or deleted.
  bool HasChanges() const;
  // "Kind/ns/name created\n..." for the actions Flux reports in events.
  std::string ChangesSummary() const;
  std::vector<ObjectRef> Refs() const;
  // Refs of entries that were not skipped (what health checks look at).
  std::vector<ObjectRef> AppliedRefs() const;
};

struct Owner {
  std::string field_manager;        // e.g. "kustomize-controller"
  std::string name_label;           // e.g. "kustomize.toolkit.fluxcd.io/name"
  std::string namespace_label;      // e.g. "kustomize.toolkit.fluxcd.io/namespace"
  std::string name;                 // the owning object's name
  std::string ns;                   // the owning object's namespace
  std::string annotation_prefix;    // e.g. "kustomize.toolkit.fluxcd.io" for ssa/prune/force/reconcile
};

struct ApplyOptions {
  bool force = false;  // recreate on immutable-field errors
  std::chrono::milliseconds wait_timeout{60000};  // for CRDs/Namespaces of stage 1 and 2
  std::chrono::milliseconds poll_interval{500};
  // Dry-runs of one stage run on up to this many threads (--concurrent-ssa).
  int concurrency = 4;
  // Extra managers whose fields are taken over (--override-manager).
  std::vector<std::string> override_managers;
  // Kinds applied in stage 3 (--custom-apply-stage-kinds): {group, kind}.
  std::vector<std::pair<std::string, std::string>> custom_stage_kinds;
  // JSON pointers (RFC 6901) excluded from drift detection for an object
  // (spec.ignore); may be empty.
  std::function<std::vector<std::string>(const object::Value&)> ignore_paths;
  // MigrateAPIVersion feature gate: before applying an existing object, every
  // managed-fields entry is rewritten to the applied object's apiVersion
  // (entries left on an older version of a CRD make the API server reject
  // applies with "field not declared in schema").
  bool migrate_api_version = false;
};

class ResourceManager {
 public:
  ResourceManager(kube::Client& client, Owner owner) : client_(client), owner_(std::move(owner)) {}

  // Normalises and labels every object with the owner labels, applies in
  // Flux's stages (CRDs/Namespaces/ClusterRoles, then *Class kinds, then
  // custom stage kinds, then the rest), waiting for stage 1-2 objects to be
  // ready. Per stage, every object is dry-run first (concurrently); if any
  // dry-run fails nothing of that stage is applied and the error names the
  // object and lists what earlier stages changed.
  absl::StatusOr<ChangeSet> ApplyAllStaged(std::vector<object::Value> objects, const ApplyOptions& options);

  // Deletes `stale` objects in reverse order, skipping those that lost our
  // owner labels or carry prune/reconcile disabled or ssa: Ignore. Returns the
  // deleted entries; an error lists the objects whose deletion failed, and
  // `failed` (optional) receives them.
  absl::StatusOr<ChangeSet> DeleteAll(const std::vector<ObjectRef>& stale, std::vector<ObjectRef>* failed = nullptr);

  // Polls every `poll` until none of `refs` exists; DeadlineExceeded naming
  // the survivors after `timeout`.
  absl::Status WaitForTermination(const std::vector<ObjectRef>& refs, std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds poll);

  // Sorts objects in Flux's apply order (ssa.SortableUnstructureds).
  static void SortForApply(std::vector<object::Value>& objects);

  // Flux's normalisation before apply: Secret stringData folded into data,
  // default TCP protocol on container and Service ports, creationTimestamp
  // dropped, status dropped except on CRDs.
  static void Normalize(object::Value& obj);

 private:
  // What the dry-run phase decided for one object.
  struct Plan {
    object::Value desired;
    ChangeSetEntry entry;
    bool exists = false;
    bool apply = false;      // a real apply is needed
    bool recreate = false;   // delete first (immutable field, force)
    object::Value cleanup;   // JSON patch for managed-fields cleanup, or null
    absl::Status error;
  };

  Plan DryRun(object::Value obj, const ApplyOptions& options);
  absl::StatusOr<ChangeSetEntry> Execute(Plan& plan, const ApplyOptions& options);
  absl::Status WaitReady(const std::vector<object::Value>& objects, const ApplyOptions& options);
  bool HasAnnotationOrLabel(const object::Value& obj, const std::string& suffix, const std::string& value) const;
  // JSON patch removing foreign managers' entries and kubectl annotations, or null when clean.
  object::Value CleanupPatch(const object::Value& live, const ApplyOptions& options) const;
  int StageOf(const ObjectRef& ref, const ApplyOptions& options) const;

  kube::Client& client_;
  Owner owner_;
};

}  // namespace fluxcpp::ssa
