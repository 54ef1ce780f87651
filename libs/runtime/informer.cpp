#include "libs/runtime/informer.h"

#include <chrono>
#include <set>

#include "absl/strings/str_cat.h"

namespace fluxcpp::runtime {
namespace {

int64_t HttpCodeOfStatusObject(const object::Value& status) { return object::GetInt(status, {"code"}, 0); }

}  // namespace

Informer::Informer(kube::Client& client, InformerOptions options) : client_(client), options_(std::move(options)) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandlers(InformerHandlers handlers) {
  absl::MutexLock hl(&handlers_mu_);
  std::vector<ObjectPtr> existing;
  {
    absl::MutexLock l(&mu_);
    for (const auto& [key, entry] : cache_) existing.push_back(Materialize(entry));
  }
  if (handlers.on_add) {
    for (const auto& obj : existing) handlers.on_add(obj);
  }
  handlers_.push_back(std::move(handlers));
}

void Informer::Start() {
  if (started_.exchange(true) || stopped_.load()) return;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  if (stopped_.exchange(true)) return;
  stop_token_.Stop();
  stop_notification_.Notify();
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(Duration timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!synced_.load() && !stopped_.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return synced_.load();
}

ObjectPtr Informer::Get(const std::string& key) const {
  absl::MutexLock l(&mu_);
  auto it = cache_.find(key);
  return it == cache_.end() ? nullptr : Materialize(it->second);
}

bool Informer::Contains(const std::string& key) const {
  absl::MutexLock l(&mu_);
  return cache_.count(key) > 0;
}

Informer::Entry Informer::MakeEntry(const ObjectPtr& obj) {
  Entry e;
  e.json = object::ToJson(*obj);
  e.json.shrink_to_fit();
  e.resource_version = ResourceVersionOf(*obj);
  e.live = obj;
  return e;
}

ObjectPtr Informer::Materialize(const Entry& e) {
  if (ObjectPtr live = e.live.lock()) return live;
  absl::StatusOr<object::Value> parsed = object::ParseJson(e.json);
  // The text was written by ToJson: parsing it cannot fail.
  auto obj = std::make_shared<const object::Value>(parsed.ok() ? std::move(*parsed) : object::Value::object());
  e.live = obj;
  return obj;
}

std::vector<ObjectPtr> Informer::List() const {
  absl::MutexLock l(&mu_);
  std::vector<ObjectPtr> out;
  out.reserve(cache_.size());
  for (const auto& [key, entry] : cache_) out.push_back(Materialize(entry));
  return out;
}

std::vector<ObjectPtr> Informer::ListNamespace(const std::string& ns) const {
  absl::MutexLock l(&mu_);
  std::vector<ObjectPtr> out;
  std::string prefix = ns + "/";
  for (auto it = cache_.lower_bound(prefix); it != cache_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it) {
    out.push_back(Materialize(it->second));
  }
  return out;
}

size_t Informer::Size() const {
  absl::MutexLock l(&mu_);
  return cache_.size();
}

absl::Status Informer::AddIndexer(const std::string& name, IndexFunc fn) {
  if (!fn) return absl::InvalidArgumentError(absl::StrCat("indexer \"", name, "\": no index function"));
  absl::MutexLock l(&mu_);
  if (indexes_.count(name) > 0) {
    return absl::AlreadyExistsError(absl::StrCat("informer for ", options_.gvk.kind, ": indexer \"", name,
                                                 "\" already exists"));
  }
  Index& index = indexes_[name];
  index.fn = std::move(fn);
  for (const auto& [key, entry] : cache_) {
    ObjectPtr obj = Materialize(entry);
    std::vector<std::string> values = index.fn(*obj);
    for (const auto& v : values) index.keys_by_value[v].insert(key);
    if (!values.empty()) index.values_by_key[key] = std::move(values);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ObjectPtr>> Informer::ByIndex(const std::string& name, const std::string& value) const {
  absl::MutexLock l(&mu_);
  auto index = indexes_.find(name);
  if (index == indexes_.end()) {
    return absl::NotFoundError(absl::StrCat("informer for ", options_.gvk.kind, ": no indexer \"", name, "\""));
  }
  std::vector<ObjectPtr> out;
  auto keys = index->second.keys_by_value.find(value);
  if (keys == index->second.keys_by_value.end()) return out;
  out.reserve(keys->second.size());
  for (const std::string& key : keys->second) {
    auto it = cache_.find(key);
    if (it != cache_.end()) out.push_back(Materialize(it->second));
  }
  return out;
}

void Informer::IndexLocked(const std::string& key, const object::Value* obj) {
  for (auto& [name, index] : indexes_) {
    if (auto old = index.values_by_key.find(key); old != index.values_by_key.end()) {
      for (const std::string& v : old->second) {
        auto keys = index.keys_by_value.find(v);
        if (keys == index.keys_by_value.end()) continue;
        keys->second.erase(key);
        if (keys->second.empty()) index.keys_by_value.erase(keys);
      }
      index.values_by_key.erase(old);
    }
    if (obj == nullptr) continue;
    std::vector<std::string> values = index.fn(*obj);
    for (const auto& v : values) index.keys_by_value[v].insert(key);
    if (!values.empty()) index.values_by_key[key] = std::move(values);
  }
}

std::string Informer::last_resource_version() const {
  absl::MutexLock l(&mu_);
  return resource_version_;
}

ObjectPtr Informer::Prepare(object::Value obj) const {
  if (object::Value* meta = object::FindMutable(obj, {"metadata"}); meta != nullptr && meta->is_object()) {
    meta->erase("managedFields");
  }
  // List items of built-in kinds come without apiVersion/kind.
  if (!obj.contains("apiVersion")) obj["apiVersion"] = options_.gvk.ApiVersion();
  if (!obj.contains("kind")) obj["kind"] = options_.gvk.kind;
  if (options_.transform) options_.transform(obj);
  return std::make_shared<const object::Value>(std::move(obj));
}

void Informer::DispatchAdd(const ObjectPtr& obj) {
  for (const auto& h : handlers_) {
    if (h.on_add) h.on_add(obj);
  }
}

void Informer::DispatchUpdate(const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
  for (const auto& h : handlers_) {
    if (h.on_update) h.on_update(old_obj, new_obj);
  }
}

void Informer::DispatchDelete(const ObjectPtr& obj) {
  for (const auto& h : handlers_) {
    if (h.on_delete) h.on_delete(obj);
  }
}

void Informer::Upsert(object::Value raw) {
  ObjectPtr obj = Prepare(std::move(raw));
  std::string key = ObjectKeyOf(*obj);
  absl::ReaderMutexLock hl(&handlers_mu_);
  ObjectPtr old;
  Entry entry = MakeEntry(obj);
  {
    absl::MutexLock l(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      old = Materialize(it->second);
      it->second = std::move(entry);
    } else {
      cache_.emplace(key, std::move(entry));
    }
    IndexLocked(key, obj.get());
  }
  if (old == nullptr) {
    DispatchAdd(obj);
  } else {
    DispatchUpdate(old, obj);
  }
}

void Informer::Remove(const object::Value& raw) {
  std::string key = ObjectKeyOf(raw);
  absl::ReaderMutexLock hl(&handlers_mu_);
  {
    absl::MutexLock l(&mu_);
    cache_.erase(key);
    IndexLocked(key, nullptr);
  }
  // The event carries the final state; prefer it over the cached one.
  DispatchDelete(Prepare(raw));
}

absl::Status Informer::ListAndReplace() {
  std::map<std::string, ObjectPtr> fresh;  // parsed only while dispatching
  std::string rv;
  kube::ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.limit = options_.list_page_size;
  while (true) {
    absl::StatusOr<object::Value> page = client_.List(options_.gvk, options_.ns, list_options);
    if (!page.ok()) return page.status();
    if (const object::Value* items = object::Find(*page, {"items"}); items != nullptr && items->is_array()) {
      for (const auto& item : *items) {
        ObjectPtr obj = Prepare(item);
        fresh[ObjectKeyOf(*obj)] = obj;
      }
    }
    rv = object::GetString(*page, {"metadata", "resourceVersion"});
    std::string cont = object::GetString(*page, {"metadata", "continue"});
    if (cont.empty()) break;
    list_options.continue_token = cont;
  }

  absl::ReaderMutexLock hl(&handlers_mu_);
  std::map<std::string, Entry> old;
  {
    std::map<std::string, Entry> entries;
    for (const auto& [key, obj] : fresh) entries.emplace_hint(entries.end(), key, MakeEntry(obj));
    absl::MutexLock l(&mu_);
    old.swap(cache_);
    cache_ = std::move(entries);
    resource_version_ = rv;
    for (auto& [name, index] : indexes_) {
      index.keys_by_value.clear();
      index.values_by_key.clear();
    }
    if (!indexes_.empty()) {
      for (const auto& [key, obj] : fresh) IndexLocked(key, obj.get());
    }
  }
  for (const auto& [key, obj] : fresh) {
    auto it = old.find(key);
    if (it == old.end()) {
      DispatchAdd(obj);
    } else if (it->second.resource_version != ResourceVersionOf(*obj)) {
      DispatchUpdate(Materialize(it->second), obj);
    }
  }
  for (const auto& [key, entry] : old) {
    if (fresh.count(key) == 0) DispatchDelete(Materialize(entry));  // vanished while we were not watching
  }
  if (!synced_.exchange(true)) {
    options_.logger.Debug("informer synced", {{"kind", options_.gvk.kind}, {"count", std::to_string(fresh.size())}});
  }
  return absl::OkStatus();
}

absl::Status Informer::WatchOnce() {
  kube::WatchOptions watch_options;
  watch_options.label_selector = options_.label_selector;
  watch_options.field_selector = options_.field_selector;
  watch_options.allow_bookmarks = true;
  watch_options.timeout_seconds = options_.watch_timeout_seconds;
  {
    absl::MutexLock l(&mu_);
    watch_options.resource_version = resource_version_;
  }
  absl::Status stream_error;
  auto on_event = [&](const kube::WatchEvent& ev) -> bool {
    if (stopped_.load()) return false;
    if (ev.type == "ERROR") {
      int64_t code = HttpCodeOfStatusObject(ev.object);
      std::string message = object::GetString(ev.object, {"message"});
      stream_error = code == 410 ? absl::OutOfRangeError(message)
                                 : absl::UnavailableError(absl::StrCat("watch error ", code, ": ", message));
      return false;
    }
    std::string rv = ResourceVersionOf(ev.object);
    if (ev.type == "ADDED" || ev.type == "MODIFIED") {
      Upsert(ev.object);
    } else if (ev.type == "DELETED") {
      Remove(ev.object);
    }
    // BOOKMARK (and anything else) only moves the resume point.
    if (!rv.empty()) {
      absl::MutexLock l(&mu_);
      resource_version_ = rv;
    }
    return true;
  };
  absl::Status st = client_.Watch(options_.gvk, options_.ns, watch_options, on_event, &stop_token_);
  if (!stream_error.ok()) return stream_error;
  return st;
}

bool Informer::SleepUnlessStopped(Duration d) {
  return !stop_notification_.WaitForNotificationWithTimeout(absl::FromChrono(d));
}

void Informer::Run() {
  Duration backoff = options_.min_backoff;
  bool need_list = true;
  const Logger log = options_.logger.With({{"kind", options_.gvk.kind}});
  while (!stopped_.load()) {
    if (need_list) {
      absl::Status st = ListAndReplace();
      if (stopped_.load()) break;
      if (!st.ok()) {
        log.Error("failed to list", {{"error", std::string(st.message())}});
        if (!SleepUnlessStopped(backoff)) break;
        backoff = std::min(backoff * 2, options_.max_backoff);
        continue;
      }
      need_list = false;
      backoff = options_.min_backoff;
    }
    auto watch_start = std::chrono::steady_clock::now();
    std::string rv_before = last_resource_version();
    absl::Status st = WatchOnce();
    if (stopped_.load()) break;
    if (absl::IsOutOfRange(st)) {
      log.Debug("watch expired, relisting", {{"error", std::string(st.message())}});
      need_list = true;
      continue;
    }
    if (!st.ok()) {
      log.Error("watch failed", {{"error", std::string(st.message())}});
      if (!SleepUnlessStopped(backoff)) break;
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    backoff = options_.min_backoff;
    // A stream that ends at once without progress: do not spin.
    if (std::chrono::steady_clock::now() - watch_start < std::chrono::milliseconds(100) &&
        last_resource_version() == rv_before) {
      if (!SleepUnlessStopped(std::chrono::milliseconds(100))) break;
    }
  }
}

}  // namespace fluxcpp::runtime
