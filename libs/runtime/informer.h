#pragma once
// An Informer lists and watches one kind through kube::Client and keeps a
// read-only cache of the objects, like client-go's SharedIndexInformer.
//
//  * Cached objects are shared `std::shared_ptr<const object::Value>`: never
//    mutate one; copy it first. `metadata.managedFields` is dropped on the
//    way in (it is large and no controller reads it), plus whatever the
//    optional `transform` removes.
//  * Handlers run on the informer's own thread, in event order, after the
//    cache was updated, without informer locks held. Keep them short
//    (typically: enqueue a key). Handlers added after Start() first receive
//    an OnAdd for every cached object.
//  * A watch that ends is resumed from the last resourceVersion seen
//    (bookmarks included). When the server answers 410 Gone (kOutOfRange)
//    the informer relists and emits synthetic deletes for keys that vanished
//    meanwhile and updates for objects that changed. Other errors back off
//    exponentially (1s doubling, capped at 30s) and retry.
//  * HasSynced() turns true after the first complete list.
//  * Secondary indexes (index.h): AddIndexer() then ByIndex() finds the
//    objects an index function filed under a value without parsing the rest
//    of the cache. Indexes follow every add, update, delete and relist.
//  * Memory-lean: the cache keeps each object as compact JSON (typically
//    under half the size of the JSON the server sends, about a fifth of a
//    parsed tree) and parses it on Get()/List(). A parsed object stays
//    shared while anyone holds it, so two Get()s meanwhile return the same
//    pointer; after that a Get() parses again (~10 µs for a typical Flux
//    object). Use Contains() for existence checks.
//
//   Informer informer(client, {.gvk = {"source.toolkit.fluxcd.io", "v1", "GitRepository"}});
//   informer.AddHandlers({.on_add = [&](const ObjectPtr& o) { ... }});
//   informer.Start();
//   informer.WaitForSync(std::chrono::seconds(30));
//   ObjectPtr obj = informer.Get("flux-system/podinfo");
//
// Thread-safe. Start() and Stop() are idempotent; an informer cannot be
// restarted after Stop().

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libs/core/duration.h"
#include "libs/core/logger.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"
#include "libs/runtime/index.h"
#include "libs/runtime/object_meta.h"

namespace fluxcpp::runtime {

using ObjectPtr = std::shared_ptr<const object::Value>;

struct InformerOptions {
  kube::GroupVersionKind gvk;
  std::string ns;              // "" = all namespaces
  std::string label_selector;  // "" = everything
  std::string field_selector;
  // Page size of the initial list (0 = unpaginated).
  int64_t list_page_size = 500;
  // Server-side watch timeout; the informer re-watches when it ends.
  int watch_timeout_seconds = 300;
  Duration min_backoff = std::chrono::seconds(1);
  Duration max_backoff = std::chrono::seconds(30);
  // Optional extra slimming applied to every object before it is cached.
  std::function<void(object::Value&)> transform;
  Logger logger;
};

struct InformerHandlers {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  // The last known state of the object.
  std::function<void(const ObjectPtr& obj)> on_delete;
};

class Informer {
 public:
  // `client` must outlive the informer.
  Informer(kube::Client& client, InformerOptions options);
  ~Informer();  // Stop()s
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void AddHandlers(InformerHandlers handlers);

  void Start();
  void Stop();

  bool HasSynced() const { return synced_.load(); }
  // Blocks until synced, stopped, or `timeout`; returns HasSynced().
  bool WaitForSync(Duration timeout) const;

  // nullptr when not cached.
  ObjectPtr Get(const std::string& key) const;
  // Whether `key` is cached (no parse).
  bool Contains(const std::string& key) const;
  std::vector<ObjectPtr> List() const;
  std::vector<ObjectPtr> ListNamespace(const std::string& ns) const;
  size_t Size() const;
  std::string last_resource_version() const;

  // Adds the index `name`, at once for everything cached. AlreadyExists
  // when the name is taken.
  absl::Status AddIndexer(const std::string& name, IndexFunc fn);
  // The cached objects filed under `value` in index `name`, ordered by key;
  // NotFound for an unknown index.
  absl::StatusOr<std::vector<ObjectPtr>> ByIndex(const std::string& name, const std::string& value) const;

  const InformerOptions& options() const { return options_; }

 private:
  void Run();
  // Lists everything and reconciles the cache with it; OutOfRange never.
  absl::Status ListAndReplace();
  // Watches from the last resourceVersion until the stream ends.
  absl::Status WatchOnce();
  // Applies one upsert/delete to the cache and dispatches handlers.
  void Upsert(object::Value obj);
  void Remove(const object::Value& obj);
  ObjectPtr Prepare(object::Value obj) const;

  // One cached object (see the class comment).
  struct Entry {
    std::string json;
    std::string resource_version;
    mutable std::weak_ptr<const object::Value> live;
  };
  static Entry MakeEntry(const ObjectPtr& obj);
  // The parsed object of `e` (the live one when it is still held).
  static ObjectPtr Materialize(const Entry& e);
  // Sleeps for `d` unless stopped first; false when stopped.
  bool SleepUnlessStopped(Duration d);

  // Files `key` under `obj`'s values in every index (nullptr: removes it).
  void IndexLocked(const std::string& key, const object::Value* obj) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  void DispatchAdd(const ObjectPtr& obj);
  void DispatchUpdate(const ObjectPtr& old_obj, const ObjectPtr& new_obj);
  void DispatchDelete(const ObjectPtr& obj);

  kube::Client& client_;
  const InformerOptions options_;

  mutable absl::Mutex mu_;
  std::map<std::string, Entry> cache_ ABSL_GUARDED_BY(mu_);
  std::string resource_version_ ABSL_GUARDED_BY(mu_);
  struct Index {
    IndexFunc fn;
    std::map<std::string, std::set<std::string>> keys_by_value;
    std::map<std::string, std::vector<std::string>> values_by_key;
  };
  std::map<std::string, Index> indexes_ ABSL_GUARDED_BY(mu_);

  // Held (shared) while dispatching, exclusively while adding a handler and
  // replaying the cache to it, so a new handler never misses nor doubles an event.
  absl::Mutex handlers_mu_;
  std::vector<InformerHandlers> handlers_ ABSL_GUARDED_BY(handlers_mu_);

  std::atomic<bool> synced_{false};
  std::atomic<bool> started_{false};
  std::atomic<bool> stopped_{false};
  kube::StopToken stop_token_;
  absl::Notification stop_notification_;
  std::thread thread_;
};

}  // namespace fluxcpp::runtime
