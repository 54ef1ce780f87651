#pragma once
// The object store: every object of every resource, as serialized JSON,
// with a global resourceVersion counter, an event history for watch resume,
// the watch fan-out, and (with a data dir) a write-ahead log.
//
// Objects are kept as their JSON text (shared, immutable strings), not as
// parsed trees, to stay lean; a few fields (labels, uid, owner uids) are
// extracted on write for selectors and garbage collection.
//
// Concurrency: one store mutex serializes writes and protects reads of the
// maps; each write is a transaction (Mutate) whose callback runs under that
// mutex and may read other keys through a View. Every committed write gets
// the next resourceVersion, is appended to the log and offered to watchers
// before the mutex is released, then Mutate waits for the log fsync (group
// commit) after releasing it. Thread-safe.

#include <cstdint>
#include <deque>
#include <tuple>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/apimachinery/label_selector.h"
#include "libs/object/value.h"
#include "tools/dev-apiserver/wal.h"
#include "tools/dev-apiserver/watcher.h"

namespace fluxcpp::devapiserver {

struct ObjectKey {
  std::string resource;  // GroupResource
  std::string ns;        // "" for cluster-scoped
  std::string name;
  bool operator<(const ObjectKey& o) const {
    return std::tie(resource, ns, name) < std::tie(o.resource, o.ns, o.name);
  }
  bool operator==(const ObjectKey& o) const = default;
};

// metadata.uid packed into 128 bits (a UUID's hex digits; a hash for any
// other spelling), 0 when absent: the uid index keeps no strings.
absl::uint128 UidKey(const std::string& uid);

struct StoredObject {
  std::shared_ptr<const std::string> json;
  int64_t rv = 0;
  // metadata.labels packed as "key\0value\0..." (a short label set fits in
  // the string itself: no per-label map nodes).
  std::string packed_labels;
  absl::uint128 uid = 0;  // UidKey(metadata.uid)
  std::vector<std::string> owner_uids;

  apimachinery::Labels labels() const;
  void set_labels(const apimachinery::Labels& labels);
};

class Store {
 public:
  struct Options {
    std::string data_dir;  // "" = in memory only
    size_t history_limit = 10000;
    size_t watcher_queue_limit = 100000;
    uint64_t compact_min_bytes = 64ull << 20;  // compact the log past this size...
    uint64_t compact_ratio = 4;                // ...and past this multiple of the live data
  };

  static absl::StatusOr<std::unique_ptr<Store>> Open(const Options& options);

  int64_t CurrentRv() const;

  // Read access inside a Mutate callback (the store lock is held).
  class View {
   public:
    const StoredObject* Get(const std::string& resource, const std::string& ns, const std::string& name) const;
    // True when any object of any resource lives in namespace `ns`.
    bool NamespaceHasObjects(const std::string& ns) const;

   private:
    friend class Store;
    explicit View(const Store* store) : store_(store) {}
    const Store* store_;
  };

  std::optional<StoredObject> Get(const std::string& resource, const std::string& ns, const std::string& name) const;

  struct ListItem {
    std::string ns;
    std::string name;
    StoredObject object;
  };
  struct ListResult {
    std::vector<ListItem> items;
    int64_t rv = 0;  // store revision the list reflects
  };
  // Objects of `resource` in `ns` ("" = all), ordered by namespace then name,
  // starting after (`after_ns`, `after_name`) when given, keeping those
  // `keep` accepts, at most `limit` (0 = all). `more` reports whether
  // accepted items remained after the limit.
  ListResult List(const std::string& resource, const std::string& ns,
                  const std::function<bool(const std::string& ns, const std::string& name,
                                           const StoredObject&)>& keep = nullptr,
                  size_t limit = 0,
                  const std::string& after_ns = "", const std::string& after_name = "",
                  bool* more = nullptr) const;

  struct Mutation {
    enum class Op { kNone, kPut, kDelete };
    Op op = Op::kNone;
    // kPut: the new object (metadata.resourceVersion is set by the store).
    // kDelete: the object's final state, reported in the DELETED event.
    object::Value object;
  };
  using MutateFn = std::function<absl::StatusOr<Mutation>(const StoredObject* current, const View& view)>;

  struct Outcome {
    Mutation::Op op = Mutation::Op::kNone;
    bool changed = false;  // false for kNone and for a no-op kPut
    std::shared_ptr<const std::string> json;  // resulting object (kDelete: final state)
    int64_t rv = 0;
  };
  // Runs `fn` on the current object under the store lock and commits its
  // decision. A kPut whose object serializes identically to the current one
  // is a no-op: no new resourceVersion, no event, no log record. With
  // `dry_run` nothing is committed. Returns fn's error unchanged.
  absl::StatusOr<Outcome> Mutate(const ObjectKey& key, const MutateFn& fn, bool dry_run = false);

  enum class WatchFrom { kNow, kSnapshot, kRevision };
  // Registers a watcher. kSnapshot first queues a synthetic ADDED for every
  // current object; kRevision queues every retained event after `rv`, or
  // fails with kOutOfRange when `rv` is older than the history keeps.
  absl::StatusOr<std::shared_ptr<Watcher>> Watch(WatchFilter filter, WatchFrom from, int64_t rv = 0);
  void Unwatch(const std::shared_ptr<Watcher>& watcher);
  // The revision a BOOKMARK may carry for `watcher`: the current revision
  // when its queue is drained (all events up to it delivered), else 0.
  int64_t BookmarkRv(const Watcher& watcher) const;
  size_t WatcherCount() const;
  // Closes every watcher (shutdown).
  void CloseAllWatchers();

  // Garbage-collection indexes.
  std::vector<ObjectKey> DependentsOf(const std::string& owner_uid) const;
  bool UidExists(const std::string& uid) const;
  // Keys of every object with owner references (for orphan sweeps).
  std::vector<ObjectKey> ObjectsWithOwners() const;
  // Keys of every object in namespace `ns`, across resources.
  std::vector<ObjectKey> KeysInNamespace(const std::string& ns) const;
  // Keys of every object of `resource`.
  std::vector<ObjectKey> KeysOf(const std::string& resource) const;

  // Log statistics for logs/tests.
  uint64_t LogSize() const;
  uint64_t ReplayedRecords() const { return replayed_records_; }
  uint64_t TruncatedBytes() const { return truncated_bytes_; }

 private:
  explicit Store(const Options& options);
  void IndexLocked(const ObjectKey& key, const StoredObject& obj, bool add) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PublishLocked(EventPtr event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status MaybeCompactLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const StoredObject* FindLocked(const std::string& resource, const std::string& ns, const std::string& name) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const Options options_;
  mutable absl::Mutex mu_;
  int64_t rv_ ABSL_GUARDED_BY(mu_) = 0;
  // resource -> "ns/name" -> object (sorted like etcd keys)
  std::map<std::string, std::map<std::string, StoredObject>> objects_ ABSL_GUARDED_BY(mu_);
  uint64_t live_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Memory per object matters (100,000s of objects): the uid index holds
  // 16-byte keys, namespaces only a count (their keys come from objects_).
  absl::flat_hash_set<absl::uint128> by_uid_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::set<ObjectKey>> by_owner_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, size_t> objects_in_namespace_ ABSL_GUARDED_BY(mu_);
  std::deque<EventPtr> history_ ABSL_GUARDED_BY(mu_);
  int64_t history_floor_ ABSL_GUARDED_BY(mu_) = 0;  // events after this rv are all retained
  std::map<std::string, std::vector<std::shared_ptr<Watcher>>> watchers_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<Wal> wal_;  // null when in memory; Append/Rewrite under mu_
  uint64_t replayed_records_ = 0;
  uint64_t truncated_bytes_ = 0;
};

// Splits "ns/name" storage keys and builds them.
std::string NsNameKey(const std::string& ns, const std::string& name);

}  // namespace fluxcpp::devapiserver
