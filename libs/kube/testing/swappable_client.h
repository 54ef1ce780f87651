#pragma once
// A Client that forwards every call to a replaceable target, so references
// handed out earlier stay valid when the target changes (DevApiServer's
// shared client across Restart() with new credentials). A call in flight
// keeps the target it started with alive until it returns.

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/kube/client.h"

namespace fluxcpp::kube::testing {

class SwappableClient final : public Client {
 public:
  explicit SwappableClient(std::unique_ptr<Client> target) : target_(std::move(target)) {}

  void Reset(std::unique_ptr<Client> target) {
    absl::MutexLock l(&mu_);
    target_ = std::move(target);
  }

  std::unique_ptr<Client> Impersonate(const std::string& user, const std::vector<std::string>& groups) const override {
    return Target()->Impersonate(user, groups);
  }
  absl::StatusOr<ResourceMapping> Mapping(const GroupVersionKind& gvk) override { return Target()->Mapping(gvk); }
  absl::StatusOr<object::Value> Get(const GroupVersionKind& gvk, const std::string& ns,
                                    const std::string& name) override {
    return Target()->Get(gvk, ns, name);
  }
  absl::StatusOr<object::Value> List(const GroupVersionKind& gvk, const std::string& ns,
                                     const ListOptions& options) override {
    return Target()->List(gvk, ns, options);
  }
  absl::StatusOr<object::Value> Create(const object::Value& obj, const WriteOptions& options) override {
    return Target()->Create(obj, options);
  }
  absl::StatusOr<object::Value> CreateSubresource(const GroupVersionKind& gvk, const std::string& ns,
                                                  const std::string& name, const std::string& subresource,
                                                  const object::Value& body) override {
    return Target()->CreateSubresource(gvk, ns, name, subresource, body);
  }
  absl::StatusOr<object::Value> Update(const object::Value& obj, const WriteOptions& options) override {
    return Target()->Update(obj, options);
  }
  absl::StatusOr<object::Value> UpdateStatus(const object::Value& obj, const WriteOptions& options) override {
    return Target()->UpdateStatus(obj, options);
  }
  absl::StatusOr<object::Value> Patch(const GroupVersionKind& gvk, const std::string& ns, const std::string& name,
                                      PatchType type, const object::Value& patch, const WriteOptions& options,
                                      const std::string& subresource) override {
    return Target()->Patch(gvk, ns, name, type, patch, options, subresource);
  }
  absl::StatusOr<object::Value> Apply(const object::Value& obj, const ApplyOptions& options) override {
    return Target()->Apply(obj, options);
  }
  absl::StatusOr<object::Value> ApplyStatus(const object::Value& obj, const ApplyOptions& options) override {
    return Target()->ApplyStatus(obj, options);
  }
  absl::Status Delete(const GroupVersionKind& gvk, const std::string& ns, const std::string& name,
                      PropagationPolicy policy, bool dry_run) override {
    return Target()->Delete(gvk, ns, name, policy, dry_run);
  }
  absl::Status Watch(const GroupVersionKind& gvk, const std::string& ns, const WatchOptions& options,
                     const std::function<bool(const WatchEvent&)>& on_event, const StopToken* stop) override {
    return Target()->Watch(gvk, ns, options, on_event, stop);
  }
  absl::StatusOr<std::string> RawGet(const std::string& path) override { return Target()->RawGet(path); }

 private:
  std::shared_ptr<Client> Target() const {
    absl::MutexLock l(&mu_);
    return target_;
  }

  mutable absl::Mutex mu_;
  std::shared_ptr<Client> target_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fluxcpp::kube::testing
