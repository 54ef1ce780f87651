#pragma once
// A Kubernetes REST client: typed verbs over JSON objects (object::Value).
//
// Thread-safe: one Client is shared by all workers of a process; it keeps a
// pool of connections. Errors map the API server's Status to absl codes:
//   404 NotFound -> kNotFound           409 AlreadyExists -> kAlreadyExists
//   409 Conflict -> kAborted            403 Forbidden     -> kPermissionDenied
//   401 -> kUnauthenticated             422 Invalid/400   -> kInvalidArgument
//   410 Gone -> kOutOfRange             429/5xx (after retries) -> kUnavailable
// The status message is the server's Status.message; ReasonOf() recovers the
// Kubernetes reason ("NotFound", "Conflict", ...).

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/kube/config.h"
#include "libs/object/value.h"

namespace fluxcpp::kube {

struct GroupVersionKind {
  std::string group;  // "" for core
  std::string version;
  std::string kind;
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // Splits "apps/v1" / "v1".
  static GroupVersionKind FromApiVersion(std::string_view api_version, std::string_view kind);
  static GroupVersionKind Of(const object::Value& obj);  // from apiVersion/kind of an object
  bool operator==(const GroupVersionKind&) const = default;
};

// What discovery says about a kind.
struct ResourceMapping {
  GroupVersionKind gvk;
  std::string resource;  // plural, e.g. "deployments"
  bool namespaced = true;
  bool has_status = false;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;
};

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
  object::Value object;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // resume point
  bool allow_bookmarks = true;
  int timeout_seconds = 0;  // 0 = server default
  // A stream silent for this long is reopened from the last resourceVersion
  // seen (dead-connection detection); 0 = 300s, or timeout_seconds + 30s.
  int idle_timeout_seconds = 0;
};

enum class PatchType { kMerge, kJson, kStrategicMerge, kApply };

enum class PropagationPolicy { kDefault, kBackground, kForeground, kOrphan };

struct ApplyOptions {
  std::string field_manager;  // required
  bool force = false;
  bool dry_run = false;
};

struct WriteOptions {
  std::string field_manager;  // optional
  bool dry_run = false;
};

// Cooperative cancellation shared between a caller and a long-running call.
class StopToken {
 public:
  void Stop() { stopped_.store(true); }
  bool stopped() const { return stopped_.load(); }

 private:
  std::atomic<bool> stopped_{false};
};

class Client {
 public:
  static absl::StatusOr<std::unique_ptr<Client>> Create(const Config& config);
  virtual ~Client() = default;

  // The same server and credentials, impersonating `user` (and groups), e.g.
  // "system:serviceaccount:<ns>:<name>". Shares the discovery cache.
  virtual std::unique_ptr<Client> Impersonate(const std::string& user,
                                              const std::vector<std::string>& groups) const = 0;

  // Discovery: maps a kind to its resource; refreshes once when unknown
  // (new CRDs). NotFound when the server does not serve the kind.
  virtual absl::StatusOr<ResourceMapping> Mapping(const GroupVersionKind& gvk) = 0;

  // `ns` is ignored for cluster-scoped kinds.
  virtual absl::StatusOr<object::Value> Get(const GroupVersionKind& gvk, const std::string& ns,
                                            const std::string& name) = 0;
  // Returns the List object (items, metadata.resourceVersion, metadata.continue).
  virtual absl::StatusOr<object::Value> List(const GroupVersionKind& gvk, const std::string& ns,
                                             const ListOptions& options = {}) = 0;
  virtual absl::StatusOr<object::Value> Create(const object::Value& obj, const WriteOptions& options = {}) = 0;
  // PUT; uses metadata.resourceVersion for optimistic concurrency.
  virtual absl::StatusOr<object::Value> Update(const object::Value& obj, const WriteOptions& options = {}) = 0;
  // PUT to the status subresource.
  virtual absl::StatusOr<object::Value> UpdateStatus(const object::Value& obj,
                                                     const WriteOptions& options = {}) = 0;
  // PATCH with `patch` as body; `subresource` "" or "status".
  virtual absl::StatusOr<object::Value> Patch(const GroupVersionKind& gvk, const std::string& ns,
                                              const std::string& name, PatchType type,
                                              const object::Value& patch, const WriteOptions& options = {},
                                              const std::string& subresource = "") = 0;
  // POST `body` to a subresource of an existing object, e.g. a TokenRequest
  // to serviceaccounts/<name>/token; returns the response object.
  // Unimplemented unless the client overrides it.
  virtual absl::StatusOr<object::Value> CreateSubresource(const GroupVersionKind& gvk, const std::string& ns,
                                                          const std::string& name, const std::string& subresource,
                                                          const object::Value& body) {
    return absl::UnimplementedError("this client cannot create subresources");
  }
  // Server-side apply of a full object (apiVersion/kind/metadata.name[/namespace] set).
  virtual absl::StatusOr<object::Value> Apply(const object::Value& obj, const ApplyOptions& options) = 0;
  // Server-side apply to the status subresource.
  virtual absl::StatusOr<object::Value> ApplyStatus(const object::Value& obj, const ApplyOptions& options) = 0;
  // NotFound when already gone.
  virtual absl::Status Delete(const GroupVersionKind& gvk, const std::string& ns, const std::string& name,
                              PropagationPolicy policy = PropagationPolicy::kDefault, bool dry_run = false) = 0;

  // Streams watch events to `on_event` until the server closes the stream,
  // `stop` is set, or `on_event` returns false. Returns OK on a clean end,
  // kOutOfRange on 410 Gone (caller must relist), other codes on failure.
  virtual absl::Status Watch(const GroupVersionKind& gvk, const std::string& ns, const WatchOptions& options,
                             const std::function<bool(const WatchEvent&)>& on_event, const StopToken* stop) = 0;

  // Raw request for paths the typed verbs do not cover (discovery, /version).
  virtual absl::StatusOr<std::string> RawGet(const std::string& path) = 0;
};

// The Kubernetes Status reason carried by an error from Client, or "".
std::string ReasonOf(const absl::Status& status);

// "namespace/name" or "name".
std::string ObjectKey(const object::Value& obj);

}  // namespace fluxcpp::kube
