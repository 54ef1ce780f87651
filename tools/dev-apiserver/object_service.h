#pragma once
// The API semantics of every resource, independent of HTTP: create, get,
// list, update, patch (merge, JSON, strategic, apply), delete with
// finalizers and propagation, the status subresource, generation and
// managedFields bookkeeping, CRD registration and custom-resource
// defaulting, namespace existence/termination rules, dry runs.
//
// Each write is one store transaction (Store::Mutate), so read-modify-write
// races cannot happen inside the server; optimistic concurrency is enforced
// on the client's resourceVersion as kube-apiserver does.
//
// Thread-safe: holds no mutable state besides the store and registry, which
// are themselves thread-safe. The DeletionObserver is told about deletions
// after they commit (never under the store lock).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/apimachinery/field_selector.h"
#include "libs/apimachinery/label_selector.h"
#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_registry.h"
#include "tools/dev-apiserver/store.h"

namespace fluxcpp::devapiserver {

// Who and what a request addresses.
struct RequestScope {
  ResourcePtr resource;
  std::string ns;           // "" for cluster-scoped resources or all-namespace lists
  std::string name;         // "" for collection requests
  std::string subresource;  // "" or "status"
  std::string field_manager;
  bool dry_run = false;
  std::string field_validation;  // "", Ignore, Warn, Strict (?fieldValidation=)
};

struct ListOptions {
  apimachinery::LabelSelector labels;
  apimachinery::FieldSelector fields;
  size_t limit = 0;
  std::string continue_token;
};

struct DeleteOptions {
  std::string propagation_policy;  // "", Background, Foreground, Orphan
  std::string precondition_uid;
  std::string precondition_rv;
};

enum class PatchType { kMerge, kJson, kStrategic, kApply };

struct WriteResult {
  std::shared_ptr<const std::string> json;
  int http_code = 200;  // 201 on create
  bool deleted = false;
};

// Told about deletions and pending (finalizer-held) deletions.
class DeletionObserver {
 public:
  virtual ~DeletionObserver() = default;
  virtual void OnDeleted(const ObjectKey& key, const std::string& uid) = 0;
  virtual void OnTerminating(const ObjectKey& key) = 0;
};

class ObjectService {
 public:
  ObjectService(Store& store, ResourceRegistry& registry) : store_(store), registry_(registry) {}

  void set_observer(DeletionObserver* observer) { observer_ = observer; }

  // Registers stored CRDs and creates the default namespaces.
  absl::Status Bootstrap();

  absl::StatusOr<std::shared_ptr<const std::string>> Get(const RequestScope& scope);

  struct ListResult {
    std::vector<std::shared_ptr<const std::string>> items;
    int64_t rv = 0;
    std::string continue_token;
  };
  absl::StatusOr<ListResult> List(const RequestScope& scope, const ListOptions& options);

  absl::StatusOr<WriteResult> Create(const RequestScope& scope, object::Value body);
  // PUT of the object or (scope.subresource == "status") of its status.
  absl::StatusOr<WriteResult> Update(const RequestScope& scope, object::Value body);
  absl::StatusOr<WriteResult> Patch(const RequestScope& scope, PatchType type, const std::string& body, bool force);
  absl::StatusOr<WriteResult> Delete(const RequestScope& scope, const DeleteOptions& options);

  // The scale subresource: the Scale view, and writes through it (PUT of a
  // Scale, or a merge/JSON patch of it). `scope.subresource` is "scale".
  absl::StatusOr<std::shared_ptr<const std::string>> GetScale(const RequestScope& scope);
  absl::StatusOr<WriteResult> UpdateScale(const RequestScope& scope, object::Value scale);
  absl::StatusOr<WriteResult> PatchScale(const RequestScope& scope, PatchType type, const std::string& body);
  // Deletes every object of the collection the options select; returns the list of affected objects.
  absl::StatusOr<ListResult> DeleteCollection(const RequestScope& scope, const ListOptions& list,
                                              const DeleteOptions& options);

  // Trusted in-process edit (controllers in this server): runs `edit` on the
  // current object and stores the result through the update pipeline of the
  // main resource (`subresource` "") or of its status ("status"). `edit`
  // returns false to leave the object alone. NotFound when absent.
  absl::Status Modify(const ResourceInfo& resource, const std::string& ns, const std::string& name,
                      const std::string& manager, const std::function<bool(object::Value&)>& edit,
                      const std::string& subresource = "");
  // Removes an object outright, ignoring finalizers (namespace finalization).
  absl::Status ForceRemove(const ResourceInfo& resource, const std::string& ns, const std::string& name);

  // The object as a client of `resource`'s version should see it (apiVersion
  // of the requested version for multi-version CRDs).
  static std::shared_ptr<const std::string> ForVersion(const ResourceInfo& resource,
                                                       std::shared_ptr<const std::string> json);

  // Splits "plural.group" into the served ResourceInfo (preferred version).
  ResourcePtr ResourceFor(const std::string& group_resource) const;

  Store& store() { return store_; }
  ResourceRegistry& registry() { return registry_; }

 private:
  struct Prepared;
  // The default ClusterRoles (cluster-admin, admin, edit, view) and the
  // cluster-admin binding of system:masters, when missing.
  absl::Status BootstrapRbac();
  absl::StatusOr<object::Value> PrepareCreate(const RequestScope& scope, object::Value body,
                                              const Store::View& view) const;
  absl::StatusOr<Store::Mutation> PrepareUpdate(const RequestScope& scope, const object::Value& current,
                                                object::Value proposed, bool check_rv, bool record_update) const;
  absl::StatusOr<WriteResult> WriteScale(
      const RequestScope& scope, const std::function<absl::StatusOr<object::Value>(const object::Value&)>& next);
  void AfterCommit(const RequestScope& scope, const Store::Outcome& outcome, const std::string& uid);
  ObjectKey KeyOf(const RequestScope& scope) const;

  Store& store_;
  ResourceRegistry& registry_;
  DeletionObserver* observer_ = nullptr;
};

}  // namespace fluxcpp::devapiserver
