#pragma once
// An in-memory kube::Client for unit tests of the runtime library: a
// single-process object store with resourceVersions, generations, the
// status subresource, finalizer-aware deletion, merge and JSON patches with
// resourceVersion preconditions, and watches (with 410 Gone after
// Compact()). Server-side apply, impersonation and discovery are not
// modelled. Integration tests against dev-apiserver cover the real thing.
//
// Thread-safe.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libs/kube/client.h"

namespace fluxcpp::runtime::testing {

class FakeClient : public kube::Client {
 public:
  FakeClient();

  // --- test controls
  // Drops the event history: watches from older resourceVersions get 410.
  void Compact();
  // Ends every open watch cleanly (as a server-side timeout would).
  void CloseWatches();
  // Makes the next `count` calls of `verb` ("get", "list", "watch", "patch",
  // "create", "update", "delete") fail with `status`.
  void FailNext(const std::string& verb, absl::Status status, int count = 1);
  // Calls made so far per verb (status patches count as "patch").
  int calls(const std::string& verb) const;
  // Patches sent to the status subresource.
  int status_patches() const;
  // Objects of a kind (all namespaces).
  std::vector<object::Value> Objects(const kube::GroupVersionKind& gvk) const;

  // --- kube::Client
  std::unique_ptr<kube::Client> Impersonate(const std::string& user,
                                            const std::vector<std::string>& groups) const override;
  absl::StatusOr<kube::ResourceMapping> Mapping(const kube::GroupVersionKind& gvk) override;
  absl::StatusOr<object::Value> Get(const kube::GroupVersionKind& gvk, const std::string& ns,
                                    const std::string& name) override;
  absl::StatusOr<object::Value> List(const kube::GroupVersionKind& gvk, const std::string& ns,
                                     const kube::ListOptions& options = {}) override;
  absl::StatusOr<object::Value> Create(const object::Value& obj, const kube::WriteOptions& options = {}) override;
  absl::StatusOr<object::Value> Update(const object::Value& obj, const kube::WriteOptions& options = {}) override;
  absl::StatusOr<object::Value> UpdateStatus(const object::Value& obj,
                                             const kube::WriteOptions& options = {}) override;
  absl::StatusOr<object::Value> Patch(const kube::GroupVersionKind& gvk, const std::string& ns,
                                      const std::string& name, kube::PatchType type, const object::Value& patch,
                                      const kube::WriteOptions& options = {},
                                      const std::string& subresource = "") override;
  absl::StatusOr<object::Value> Apply(const object::Value& obj, const kube::ApplyOptions& options) override;
  absl::StatusOr<object::Value> ApplyStatus(const object::Value& obj, const kube::ApplyOptions& options) override;
  absl::Status Delete(const kube::GroupVersionKind& gvk, const std::string& ns, const std::string& name,
                      kube::PropagationPolicy policy = kube::PropagationPolicy::kDefault,
                      bool dry_run = false) override;
  absl::Status Watch(const kube::GroupVersionKind& gvk, const std::string& ns, const kube::WatchOptions& options,
                     const std::function<bool(const kube::WatchEvent&)>& on_event,
                     const kube::StopToken* stop) override;
  absl::StatusOr<std::string> RawGet(const std::string& path) override;

 private:
  struct State;
  explicit FakeClient(std::shared_ptr<State> state) : state_(std::move(state)) {}
  // Common write path: stores `obj` (already validated) and records the event.
  // Both require state_->mu held.
  object::Value StoreLocked(const std::string& key, object::Value obj, const std::string& type);
  absl::Status TakeFailure(const std::string& verb);
  absl::StatusOr<object::Value> WriteMain(const std::string& key, const object::Value* existing,
                                          object::Value next);

  std::shared_ptr<State> state_;
};

}  // namespace fluxcpp::runtime::testing
