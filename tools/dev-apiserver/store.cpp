#include "tools/dev-apiserver/store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "libs/core/logger.h"
#include "tools/dev-apiserver/api_error.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

std::string WalKey(const ObjectKey& key) { return absl::StrCat(key.resource, "/", key.ns, "/", key.name); }

bool ParseWalKey(const std::string& text, ObjectKey* key) {
  size_t first = text.find('/');
  size_t last = text.rfind('/');
  if (first == std::string::npos || first == last) return false;
  key->resource = text.substr(0, first);
  key->ns = text.substr(first + 1, last - first - 1);
  key->name = text.substr(last + 1);
  return true;
}

// Extracts the indexed fields of an object.
void Describe(const Value& obj, StoredObject& out) {
  out.set_labels(apimachinery::LabelsOf(obj));
  out.uid = UidKey(object::GetString(obj, {"metadata", "uid"}));
  out.owner_uids.clear();
  if (const Value* refs = object::Find(obj, {"metadata", "ownerReferences"}); refs != nullptr && refs->is_array()) {
    for (const Value& ref : *refs) {
      if (ref.is_object() && ref.contains("uid") && ref["uid"].is_string()) {
        out.owner_uids.push_back(ref["uid"].get<std::string>());
      }
    }
  }
}

// Sorts object keys recursively, so equal objects serialize to equal bytes
// whatever order clients sent (and reads look like Go's map encoding).
void SortKeys(Value& v) {
  if (v.is_object()) {
    auto& map = v.get_ref<Value::object_t&>();
    std::vector<std::pair<std::string, Value>> items;
    items.reserve(map.size());
    for (auto& [k, val] : map) items.emplace_back(k, std::move(val));
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    map.clear();
    auto& vec = static_cast<std::vector<std::pair<const std::string, Value>>&>(map);
    for (auto& [k, val] : items) {
      SortKeys(val);
      vec.emplace_back(k, std::move(val));
    }
  } else if (v.is_array()) {
    for (Value& e : v) SortKeys(e);
  }
}

}  // namespace

apimachinery::Labels StoredObject::labels() const {
  apimachinery::Labels out;
  size_t pos = 0;
  while (pos < packed_labels.size()) {
    size_t key_end = packed_labels.find('\0', pos);
    size_t value_end = packed_labels.find('\0', key_end + 1);
    out.emplace(packed_labels.substr(pos, key_end - pos), packed_labels.substr(key_end + 1, value_end - key_end - 1));
    pos = value_end + 1;
  }
  return out;
}

void StoredObject::set_labels(const apimachinery::Labels& labels) {
  packed_labels.clear();
  for (const auto& [k, v] : labels) {
    packed_labels += k;
    packed_labels += '\0';
    packed_labels += v;
    packed_labels += '\0';
  }
  packed_labels.shrink_to_fit();
}

absl::uint128 UidKey(const std::string& uid) {
  if (uid.empty()) return 0;
  uint64_t hi = 0, lo = 0;
  int digits = 0;
  bool hex = uid.size() == 36;
  for (char c : uid) {
    if (c == '-') continue;
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (v < 0 || digits >= 32) {
      hex = false;
      break;
    }
    (digits < 16 ? hi : lo) = ((digits < 16 ? hi : lo) << 4) | static_cast<uint64_t>(v);
    ++digits;
  }
  if (hex && digits == 32 && (hi | lo) != 0) return absl::MakeUint128(hi, lo);
  // Not a UUID: two independent 64-bit hashes (never 0).
  uint64_t a = std::hash<std::string>{}(uid);
  uint64_t b = std::hash<std::string>{}(uid + "\x01uid");
  return absl::MakeUint128(a | 1, b);
}

std::string NsNameKey(const std::string& ns, const std::string& name) { return absl::StrCat(ns, "/", name); }

Store::Store(const Options& options) : options_(options) {}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const Options& options) {
  std::unique_ptr<Store> store(new Store(options));
  if (options.data_dir.empty()) return store;
  if (::mkdir(options.data_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("mkdir ", options.data_dir, ": ", std::strerror(errno)));
  }
  Store* s = store.get();
  Wal::ReplayStats stats;
  absl::MutexLock lock(&s->mu_);
  auto replay = [s](Wal::Record&& rec) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    s->rv_ = std::max(s->rv_, rec.rv);
    if (rec.op == Wal::Op::kRevision) return;
    ObjectKey key;
    if (!ParseWalKey(rec.key, &key)) return;
    auto& bucket = s->objects_[key.resource];
    std::string nskey = NsNameKey(key.ns, key.name);
    if (auto it = bucket.find(nskey); it != bucket.end()) {
      s->IndexLocked(key, it->second, false);
      s->live_bytes_ -= it->second.json->size();
      bucket.erase(it);
    }
    if (rec.op != Wal::Op::kPut) return;
    StoredObject obj;
    auto parsed = object::ParseJson(rec.value);
    if (parsed.ok()) Describe(*parsed, obj);
    obj.rv = rec.rv;
    obj.json = std::make_shared<const std::string>(std::move(rec.value));
    s->live_bytes_ += obj.json->size();
    s->IndexLocked(key, obj, true);
    bucket.emplace(nskey, std::move(obj));
  };
  auto wal = Wal::Open(options.data_dir + "/wal.log", replay, &stats);
  if (!wal.ok()) return wal.status();
  s->wal_ = std::move(*wal);
  s->replayed_records_ = stats.records;
  s->truncated_bytes_ = stats.truncated_bytes;
  s->history_floor_ = s->rv_;
  // Compact at start when the log carries much more than the live data.
  if (s->wal_->size() > 2 * s->live_bytes_ + (1 << 20)) {
    std::vector<Wal::Record> snapshot;
    snapshot.push_back({s->rv_, Wal::Op::kRevision, "", ""});
    for (const auto& [resource, bucket] : s->objects_) {
      for (const auto& [nskey, obj] : bucket) {
        snapshot.push_back({obj.rv, Wal::Op::kPut, absl::StrCat(resource, "/", nskey), *obj.json});
      }
    }
    if (absl::Status st = s->wal_->Rewrite(snapshot); !st.ok()) return st;
  }
  return store;
}

int64_t Store::CurrentRv() const {
  absl::ReaderMutexLock lock(&mu_);
  return rv_;
}

const StoredObject* Store::FindLocked(const std::string& resource, const std::string& ns,
                                      const std::string& name) const {
  auto bucket = objects_.find(resource);
  if (bucket == objects_.end()) return nullptr;
  auto it = bucket->second.find(NsNameKey(ns, name));
  return it == bucket->second.end() ? nullptr : &it->second;
}

const StoredObject* Store::View::Get(const std::string& resource, const std::string& ns,
                                     const std::string& name) const ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return store_->FindLocked(resource, ns, name);
}

bool Store::View::NamespaceHasObjects(const std::string& ns) const ABSL_NO_THREAD_SAFETY_ANALYSIS {
  auto it = store_->objects_in_namespace_.find(ns);
  return it != store_->objects_in_namespace_.end() && it->second > 0;
}

std::optional<StoredObject> Store::Get(const std::string& resource, const std::string& ns,
                                       const std::string& name) const {
  absl::ReaderMutexLock lock(&mu_);
  const StoredObject* obj = FindLocked(resource, ns, name);
  if (obj == nullptr) return std::nullopt;
  return *obj;
}

Store::ListResult Store::List(const std::string& resource, const std::string& ns,
                              const std::function<bool(const std::string&, const std::string&,
                                                       const StoredObject&)>& keep,
                              size_t limit,
                              const std::string& after_ns, const std::string& after_name, bool* more) const {
  ListResult out;
  if (more != nullptr) *more = false;
  absl::ReaderMutexLock lock(&mu_);
  out.rv = rv_;
  auto bucket = objects_.find(resource);
  if (bucket == objects_.end()) return out;
  const auto& map = bucket->second;
  std::string prefix = ns.empty() ? "" : ns + "/";
  auto it = map.lower_bound(prefix);
  if (!after_name.empty()) {
    std::string after = NsNameKey(after_ns, after_name);
    if (after >= prefix) it = map.upper_bound(after);
  }
  for (; it != map.end(); ++it) {
    if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
    size_t slash = it->first.find('/');
    std::string item_ns = it->first.substr(0, slash), item_name = it->first.substr(slash + 1);
    if (keep && !keep(item_ns, item_name, it->second)) continue;
    if (limit > 0 && out.items.size() >= limit) {
      if (more != nullptr) *more = true;
      break;
    }
    out.items.push_back({std::move(item_ns), std::move(item_name), it->second});
  }
  return out;
}

void Store::IndexLocked(const ObjectKey& key, const StoredObject& obj, bool add) {
  if (obj.uid != 0) {
    if (add) {
      by_uid_.insert(obj.uid);
    } else {
      by_uid_.erase(obj.uid);
    }
  }
  for (const std::string& owner : obj.owner_uids) {
    if (add) {
      by_owner_[owner].insert(key);
    } else if (auto it = by_owner_.find(owner); it != by_owner_.end()) {
      it->second.erase(key);
      if (it->second.empty()) by_owner_.erase(it);
    }
  }
  if (!key.ns.empty()) {
    if (add) {
      ++objects_in_namespace_[key.ns];
    } else if (auto it = objects_in_namespace_.find(key.ns); it != objects_in_namespace_.end()) {
      if (--it->second == 0) objects_in_namespace_.erase(it);
    }
  }
}

void Store::PublishLocked(EventPtr event) {
  if (auto it = watchers_.find(event->resource); it != watchers_.end()) {
    for (const auto& w : it->second) w->Offer(event);
  }
  history_.push_back(std::move(event));
  while (history_.size() > options_.history_limit) {
    history_floor_ = history_.front()->rv;
    history_.pop_front();
  }
}

absl::StatusOr<Store::Outcome> Store::Mutate(const ObjectKey& key, const MutateFn& fn, bool dry_run) {
  uint64_t ticket = 0;
  Outcome outcome;
  {
    absl::MutexLock lock(&mu_);
    const StoredObject* current = FindLocked(key.resource, key.ns, key.name);
    View view(this);
    absl::StatusOr<Mutation> decided = fn(current, view);
    if (!decided.ok()) return decided.status();
    Mutation& m = *decided;
    outcome.op = m.op;
    if (m.op == Mutation::Op::kNone) {
      if (current != nullptr) {
        outcome.json = current->json;
        outcome.rv = current->rv;
      }
      return outcome;
    }
    if (m.op == Mutation::Op::kDelete && current == nullptr) {
      return absl::InternalError("delete of a missing object");
    }
    Value& obj = m.object;
    if (!obj.is_object()) return absl::InternalError("mutation produced a non-object");
    object::Ensure(obj, {"metadata", "resourceVersion"}) = "";
    SortKeys(obj);
    Value& meta = obj["metadata"];
    if (m.op == Mutation::Op::kPut) {
      if (current != nullptr) {
        meta["resourceVersion"] = std::to_string(current->rv);
        std::string same = object::ToJson(obj);
        if (same == *current->json) {
          outcome.json = current->json;
          outcome.rv = current->rv;
          return outcome;
        }
      }
    }
    if (dry_run) {
      if (current == nullptr) meta.erase("resourceVersion");
      outcome.changed = true;
      outcome.json = std::make_shared<const std::string>(object::ToJson(obj));
      outcome.rv = current != nullptr ? current->rv : 0;
      return outcome;
    }
    int64_t rv = rv_ + 1;
    meta["resourceVersion"] = std::to_string(rv);
    std::string text = object::ToJson(obj);
    text.shrink_to_fit();  // kept for the object's lifetime
    auto json = std::make_shared<const std::string>(std::move(text));
    if (wal_ != nullptr) {
      Wal::Record rec{rv, m.op == Mutation::Op::kPut ? Wal::Op::kPut : Wal::Op::kDelete, WalKey(key),
                      m.op == Mutation::Op::kPut ? *json : std::string()};
      absl::StatusOr<uint64_t> appended = wal_->Append(rec);
      if (!appended.ok()) return InternalServerError(appended.status().message());
      ticket = *appended;
    }
    rv_ = rv;
    auto event = std::make_shared<Event>();
    event->rv = rv;
    event->resource = key.resource;
    event->ns = key.ns;
    event->name = key.name;
    event->json = json;
    auto& bucket = objects_[key.resource];
    std::string nskey = NsNameKey(key.ns, key.name);
    if (m.op == Mutation::Op::kPut) {
      StoredObject stored;
      Describe(obj, stored);
      stored.rv = rv;
      stored.json = json;
      event->labels = stored.labels();
      if (current != nullptr) {
        event->type = EventType::kModified;
        event->old_json = current->json;
        event->old_labels = current->labels();
        live_bytes_ -= current->json->size();
        IndexLocked(key, *current, false);
      } else {
        event->type = EventType::kAdded;
      }
      live_bytes_ += json->size();
      IndexLocked(key, stored, true);
      bucket[nskey] = std::move(stored);
    } else {
      event->type = EventType::kDeleted;
      event->labels = apimachinery::LabelsOf(obj);
      live_bytes_ -= current->json->size();
      IndexLocked(key, *current, false);
      bucket.erase(nskey);
      if (bucket.empty()) objects_.erase(key.resource);
    }
    outcome.changed = true;
    outcome.json = json;
    outcome.rv = rv;
    PublishLocked(std::move(event));
    if (absl::Status st = MaybeCompactLocked(); !st.ok()) {
      Logger().Error("log compaction failed", {{"error", std::string(st.message())}});
    }
  }
  if (wal_ != nullptr && ticket > 0) {
    if (absl::Status st = wal_->Sync(ticket); !st.ok()) return InternalServerError(st.message());
  }
  return outcome;
}

absl::Status Store::MaybeCompactLocked() {
  if (wal_ == nullptr) return absl::OkStatus();
  uint64_t size = wal_->size();
  if (size < options_.compact_min_bytes || size < options_.compact_ratio * live_bytes_) return absl::OkStatus();
  std::vector<Wal::Record> snapshot;
  snapshot.push_back({rv_, Wal::Op::kRevision, "", ""});
  for (const auto& [resource, bucket] : objects_) {
    for (const auto& [nskey, obj] : bucket) {
      snapshot.push_back({obj.rv, Wal::Op::kPut, absl::StrCat(resource, "/", nskey), *obj.json});
    }
  }
  return wal_->Rewrite(snapshot);
}

absl::StatusOr<std::shared_ptr<Watcher>> Store::Watch(WatchFilter filter, WatchFrom from, int64_t rv) {
  auto watcher = std::make_shared<Watcher>(std::move(filter), options_.watcher_queue_limit);
  absl::MutexLock lock(&mu_);
  const WatchFilter& f = watcher->filter();
  if (from == WatchFrom::kRevision) {
    if (rv < history_floor_) {
      return GoneError(absl::StrCat("too old resource version: ", rv, " (", history_floor_ + 1, ")"));
    }
    for (const EventPtr& e : history_) {
      if (e->rv > rv) watcher->Offer(e);
    }
  } else if (from == WatchFrom::kSnapshot) {
    if (auto bucket = objects_.find(f.resource); bucket != objects_.end()) {
      std::string prefix = f.ns.empty() ? "" : f.ns + "/";
      for (auto it = bucket->second.lower_bound(prefix); it != bucket->second.end(); ++it) {
        if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
        auto e = std::make_shared<Event>();
        size_t slash = it->first.find('/');
        e->rv = it->second.rv;
        e->resource = f.resource;
        e->ns = it->first.substr(0, slash);
        e->name = it->first.substr(slash + 1);
        e->json = it->second.json;
        e->labels = it->second.labels();
        watcher->OfferInitial(e);
      }
    }
  }
  watchers_[f.resource].push_back(watcher);
  return watcher;
}

void Store::Unwatch(const std::shared_ptr<Watcher>& watcher) {
  watcher->Close("unwatched");
  absl::MutexLock lock(&mu_);
  auto it = watchers_.find(watcher->filter().resource);
  if (it == watchers_.end()) return;
  auto& list = it->second;
  list.erase(std::remove(list.begin(), list.end(), watcher), list.end());
  if (list.empty()) watchers_.erase(it);
}

int64_t Store::BookmarkRv(const Watcher& watcher) const {
  absl::ReaderMutexLock lock(&mu_);
  return watcher.Idle() ? rv_ : 0;
}

size_t Store::WatcherCount() const {
  absl::ReaderMutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [resource, list] : watchers_) n += list.size();
  return n;
}

void Store::CloseAllWatchers() {
  absl::MutexLock lock(&mu_);
  for (auto& [resource, list] : watchers_) {
    for (auto& w : list) w->Close("server shutting down");
  }
}

std::vector<ObjectKey> Store::DependentsOf(const std::string& owner_uid) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = by_owner_.find(owner_uid);
  if (it == by_owner_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

bool Store::UidExists(const std::string& uid) const {
  absl::ReaderMutexLock lock(&mu_);
  absl::uint128 k = UidKey(uid);
  return k != 0 && by_uid_.contains(k);
}

std::vector<ObjectKey> Store::ObjectsWithOwners() const {
  absl::ReaderMutexLock lock(&mu_);
  std::set<ObjectKey> keys;
  for (const auto& [uid, set] : by_owner_) keys.insert(set.begin(), set.end());
  return {keys.begin(), keys.end()};
}

std::vector<ObjectKey> Store::KeysInNamespace(const std::string& ns) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<ObjectKey> out;
  if (ns.empty()) return out;
  std::string prefix = ns + "/";
  for (const auto& [resource, bucket] : objects_) {
    for (auto it = bucket.lower_bound(prefix); it != bucket.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it) {
      out.push_back({resource, ns, it->first.substr(prefix.size())});
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ObjectKey> Store::KeysOf(const std::string& resource) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<ObjectKey> out;
  auto bucket = objects_.find(resource);
  if (bucket == objects_.end()) return out;
  for (const auto& [nskey, obj] : bucket->second) {
    size_t slash = nskey.find('/');
    out.push_back({resource, nskey.substr(0, slash), nskey.substr(slash + 1)});
  }
  return out;
}

uint64_t Store::LogSize() const { return wal_ == nullptr ? 0 : wal_->size(); }

}  // namespace fluxcpp::devapiserver
