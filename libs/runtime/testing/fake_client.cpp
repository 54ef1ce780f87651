#include "libs/runtime/testing/fake_client.h"

#include <algorithm>
#include <chrono>
#include <deque>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/core/logger.h"
#include "libs/runtime/object_meta.h"

namespace fluxcpp::runtime::testing {

struct FakeClient::State {
  absl::Mutex mu;
  absl::CondVar cv;
  std::map<std::string, object::Value> objects ABSL_GUARDED_BY(mu);
  struct Event {
    int64_t rv;
    std::string gvk_key;
    std::string ns;
    std::string type;
    object::Value obj;
  };
  std::vector<Event> log ABSL_GUARDED_BY(mu);
  int64_t rv ABSL_GUARDED_BY(mu) = 100;
  int64_t compacted_rv ABSL_GUARDED_BY(mu) = 0;
  int64_t watch_epoch ABSL_GUARDED_BY(mu) = 0;
  int64_t uid ABSL_GUARDED_BY(mu) = 0;
  std::map<std::string, int> calls ABSL_GUARDED_BY(mu);
  std::map<std::string, std::deque<absl::Status>> failures ABSL_GUARDED_BY(mu);
  int status_patches ABSL_GUARDED_BY(mu) = 0;
};

namespace {

std::string GvkKey(const kube::GroupVersionKind& gvk) { return gvk.ApiVersion() + "/" + gvk.kind; }
std::string Key(const kube::GroupVersionKind& gvk, const std::string& ns, const std::string& name) {
  return absl::StrCat(GvkKey(gvk), "|", gvk.kind == "Namespace" ? "" : ns, "|", name);
}

absl::Status NotFound(const kube::GroupVersionKind& gvk, const std::string& name) {
  return absl::NotFoundError(absl::StrCat(absl::AsciiStrToLower(gvk.kind), "s \"", name, "\" not found"));
}

absl::Status Conflict() {
  return absl::AbortedError(
      "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest "
      "version and try again");
}

// Everything but metadata and status: what bumps metadata.generation.
object::Value SpecPart(const object::Value& obj) {
  object::Value out = obj;
  out.erase("metadata");
  out.erase("status");
  return out;
}

bool MatchesSelector(const object::Value& obj, const std::string& selector) {
  if (selector.empty()) return true;
  const object::Value* labels = object::Find(obj, {"metadata", "labels"});
  auto label = [&](const std::string& k) -> std::optional<std::string> {
    if (labels == nullptr || !labels->is_object()) return std::nullopt;
    auto it = labels->find(k);
    if (it == labels->end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  for (absl::string_view term : absl::StrSplit(selector, ',', absl::SkipEmpty())) {
    std::string t(absl::StripAsciiWhitespace(term));
    if (size_t p = t.find("!="); p != std::string::npos) {
      auto v = label(t.substr(0, p));
      if (v && *v == t.substr(p + 2)) return false;
    } else if (size_t q = t.find('='); q != std::string::npos) {
      size_t vstart = (q + 1 < t.size() && t[q + 1] == '=') ? q + 2 : q + 1;
      auto v = label(t.substr(0, q));
      if (!v || *v != t.substr(vstart)) return false;
    } else if (!t.empty() && t[0] == '!') {
      if (label(t.substr(1))) return false;
    } else if (!label(t)) {
      return false;
    }
  }
  return true;
}

}  // namespace

FakeClient::FakeClient() : state_(std::make_shared<State>()) {}

void FakeClient::Compact() {
  absl::MutexLock l(&state_->mu);
  state_->log.clear();
  state_->compacted_rv = state_->rv;
}

void FakeClient::CloseWatches() {
  absl::MutexLock l(&state_->mu);
  ++state_->watch_epoch;
  state_->cv.SignalAll();
}

void FakeClient::FailNext(const std::string& verb, absl::Status status, int count) {
  absl::MutexLock l(&state_->mu);
  for (int i = 0; i < count; ++i) state_->failures[verb].push_back(status);
}

int FakeClient::calls(const std::string& verb) const {
  absl::MutexLock l(&state_->mu);
  auto it = state_->calls.find(verb);
  return it == state_->calls.end() ? 0 : it->second;
}

int FakeClient::status_patches() const {
  absl::MutexLock l(&state_->mu);
  return state_->status_patches;
}

std::vector<object::Value> FakeClient::Objects(const kube::GroupVersionKind& gvk) const {
  absl::MutexLock l(&state_->mu);
  std::vector<object::Value> out;
  std::string prefix = GvkKey(gvk) + "|";
  for (const auto& [k, v] : state_->objects) {
    if (k.compare(0, prefix.size(), prefix) == 0) out.push_back(v);
  }
  return out;
}

absl::Status FakeClient::TakeFailure(const std::string& verb) {
  absl::MutexLock l(&state_->mu);
  ++state_->calls[verb];
  auto& q = state_->failures[verb];
  if (q.empty()) return absl::OkStatus();
  absl::Status s = q.front();
  q.pop_front();
  return s;
}

object::Value FakeClient::StoreLocked(const std::string& key, object::Value obj, const std::string& type) {
  obj["metadata"]["resourceVersion"] = std::to_string(++state_->rv);
  if (type == "DELETED") {
    state_->objects.erase(key);
  } else {
    state_->objects[key] = obj;
  }
  state_->log.push_back({state_->rv, GvkKey(GvkOf(obj)), NamespaceOf(obj), type, obj});
  state_->cv.SignalAll();
  return obj;
}

std::unique_ptr<kube::Client> FakeClient::Impersonate(const std::string&, const std::vector<std::string>&) const {
  return std::unique_ptr<kube::Client>(new FakeClient(state_));
}

absl::StatusOr<kube::ResourceMapping> FakeClient::Mapping(const kube::GroupVersionKind& gvk) {
  kube::ResourceMapping m;
  m.gvk = gvk;
  m.resource = absl::AsciiStrToLower(gvk.kind) + "s";
  m.namespaced = gvk.kind != "Namespace";
  m.has_status = true;
  return m;
}

absl::StatusOr<object::Value> FakeClient::Get(const kube::GroupVersionKind& gvk, const std::string& ns,
                                              const std::string& name) {
  if (absl::Status s = TakeFailure("get"); !s.ok()) return s;
  absl::MutexLock l(&state_->mu);
  auto it = state_->objects.find(Key(gvk, ns, name));
  if (it == state_->objects.end()) return NotFound(gvk, name);
  return it->second;
}

absl::StatusOr<object::Value> FakeClient::List(const kube::GroupVersionKind& gvk, const std::string& ns,
                                               const kube::ListOptions& options) {
  if (absl::Status s = TakeFailure("list"); !s.ok()) return s;
  absl::MutexLock l(&state_->mu);
  object::Value items = object::Value::array();
  std::string prefix = GvkKey(gvk) + "|";
  for (const auto& [k, v] : state_->objects) {
    if (k.compare(0, prefix.size(), prefix) != 0) continue;
    if (!ns.empty() && NamespaceOf(v) != ns) continue;
    if (!MatchesSelector(v, options.label_selector)) continue;
    items.push_back(v);
  }
  object::Value list = {{"apiVersion", gvk.ApiVersion()},
                        {"kind", gvk.kind + "List"},
                        {"metadata", {{"resourceVersion", std::to_string(state_->rv)}}},
                        {"items", items}};
  return list;
}

absl::StatusOr<object::Value> FakeClient::Create(const object::Value& in, const kube::WriteOptions&) {
  if (absl::Status s = TakeFailure("create"); !s.ok()) return s;
  object::Value obj = in;
  absl::MutexLock l(&state_->mu);
  kube::GroupVersionKind gvk = GvkOf(obj);
  if (NameOf(obj).empty()) {
    std::string gen = object::GetString(obj, {"metadata", "generateName"});
    if (gen.empty()) return absl::InvalidArgumentError("metadata.name or generateName is required");
    obj["metadata"]["name"] = absl::StrCat(gen, "x", ++state_->uid);
  }
  std::string key = Key(gvk, NamespaceOf(obj), NameOf(obj));
  if (state_->objects.count(key) > 0) {
    return absl::AlreadyExistsError(absl::StrCat(absl::AsciiStrToLower(gvk.kind), "s \"", NameOf(obj),
                                                 "\" already exists"));
  }
  if (!gvk.group.empty()) obj.erase("status");  // CRDs with a status subresource drop it on create
  obj["metadata"]["uid"] = absl::StrCat("00000000-0000-0000-0000-", std::to_string(1000000000000 + ++state_->uid));
  obj["metadata"]["creationTimestamp"] = NowRfc3339();
  obj["metadata"]["generation"] = 1;
  obj["metadata"].erase("deletionTimestamp");
  return StoreLocked(key, std::move(obj), "ADDED");
}

absl::StatusOr<object::Value> FakeClient::WriteMain(const std::string& key, const object::Value* existing,
                                                    object::Value next) {
  std::string want_rv = ResourceVersionOf(next);
  if (!want_rv.empty() && want_rv != ResourceVersionOf(*existing)) return Conflict();
  for (const char* field : {"uid", "creationTimestamp", "generation", "deletionTimestamp"}) {
    if (const object::Value* v = object::Find(*existing, {"metadata", field})) {
      next["metadata"][field] = *v;
    } else {
      next["metadata"].erase(field);
    }
  }
  if (const object::Value* st = object::Find(*existing, {"status"})) {
    next["status"] = *st;
  } else {
    next.erase("status");
  }
  if (SpecPart(*existing) != SpecPart(next)) {
    next["metadata"]["generation"] = object::GetInt(*existing, {"metadata", "generation"}) + 1;
  }
  if (next == *existing) return *existing;  // no-op writes keep the resourceVersion
  bool deleting = object::Find(next, {"metadata", "deletionTimestamp"}) != nullptr;
  const object::Value* fin = object::Find(next, {"metadata", "finalizers"});
  if (deleting && (fin == nullptr || !fin->is_array() || fin->empty())) {
    return StoreLocked(key, std::move(next), "DELETED");
  }
  return StoreLocked(key, std::move(next), "MODIFIED");
}

absl::StatusOr<object::Value> FakeClient::Update(const object::Value& obj, const kube::WriteOptions&) {
  if (absl::Status s = TakeFailure("update"); !s.ok()) return s;
  absl::MutexLock l(&state_->mu);
  kube::GroupVersionKind gvk = GvkOf(obj);
  std::string key = Key(gvk, NamespaceOf(obj), NameOf(obj));
  auto it = state_->objects.find(key);
  if (it == state_->objects.end()) return NotFound(gvk, NameOf(obj));
  object::Value existing = it->second;
  return WriteMain(key, &existing, obj);
}

absl::StatusOr<object::Value> FakeClient::UpdateStatus(const object::Value& obj, const kube::WriteOptions&) {
  if (absl::Status s = TakeFailure("update"); !s.ok()) return s;
  absl::MutexLock l(&state_->mu);
  kube::GroupVersionKind gvk = GvkOf(obj);
  std::string key = Key(gvk, NamespaceOf(obj), NameOf(obj));
  auto it = state_->objects.find(key);
  if (it == state_->objects.end()) return NotFound(gvk, NameOf(obj));
  std::string want_rv = ResourceVersionOf(obj);
  if (!want_rv.empty() && want_rv != ResourceVersionOf(it->second)) return Conflict();
  object::Value next = it->second;
  next["status"] = obj.contains("status") ? obj["status"] : object::Value::object();
  return StoreLocked(key, std::move(next), "MODIFIED");
}

absl::StatusOr<object::Value> FakeClient::Patch(const kube::GroupVersionKind& gvk, const std::string& ns,
                                                const std::string& name, kube::PatchType type,
                                                const object::Value& patch, const kube::WriteOptions&,
                                                const std::string& subresource) {
  if (absl::Status s = TakeFailure("patch"); !s.ok()) return s;
  absl::MutexLock l(&state_->mu);
  if (subresource == "status") ++state_->status_patches;
  std::string key = Key(gvk, ns, name);
  auto it = state_->objects.find(key);
  if (it == state_->objects.end()) return NotFound(gvk, name);
  object::Value existing = it->second;
  object::Value merged = existing;
  if (type == kube::PatchType::kMerge) {
    std::string want_rv = object::GetString(patch, {"metadata", "resourceVersion"});
    if (!want_rv.empty() && want_rv != ResourceVersionOf(existing)) return Conflict();
    merged.merge_patch(patch);
  } else if (type == kube::PatchType::kJson) {
    try {
      merged = existing.patch(patch);
    } catch (const std::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat("the JSON patch could not be applied: ", e.what()));
    }
  } else {
    return absl::UnimplementedError("FakeClient: only merge and JSON patches");
  }
  if (subresource == "status") {
    object::Value next = existing;
    if (merged.contains("status")) {
      next["status"] = merged["status"];
    } else {
      next.erase("status");
    }
    if (next == existing) return existing;
    return StoreLocked(key, std::move(next), "MODIFIED");
  }
  merged["metadata"]["resourceVersion"] = ResourceVersionOf(existing);  // precondition already checked
  return WriteMain(key, &existing, std::move(merged));
}

absl::StatusOr<object::Value> FakeClient::Apply(const object::Value&, const kube::ApplyOptions&) {
  return absl::UnimplementedError("FakeClient: server-side apply is not modelled");
}

absl::StatusOr<object::Value> FakeClient::ApplyStatus(const object::Value&, const kube::ApplyOptions&) {
  return absl::UnimplementedError("FakeClient: server-side apply is not modelled");
}

absl::Status FakeClient::Delete(const kube::GroupVersionKind& gvk, const std::string& ns, const std::string& name,
                                kube::PropagationPolicy, bool) {
  if (absl::Status s = TakeFailure("delete"); !s.ok()) return s;
  absl::MutexLock l(&state_->mu);
  std::string key = Key(gvk, ns, name);
  auto it = state_->objects.find(key);
  if (it == state_->objects.end()) return NotFound(gvk, name);
  object::Value obj = it->second;
  const object::Value* fin = object::Find(obj, {"metadata", "finalizers"});
  if (fin != nullptr && fin->is_array() && !fin->empty()) {
    if (object::Find(obj, {"metadata", "deletionTimestamp"}) == nullptr) {
      obj["metadata"]["deletionTimestamp"] = NowRfc3339();
      StoreLocked(key, std::move(obj), "MODIFIED");
    }
    return absl::OkStatus();
  }
  StoreLocked(key, std::move(obj), "DELETED");
  return absl::OkStatus();
}

absl::Status FakeClient::Watch(const kube::GroupVersionKind& gvk, const std::string& ns,
                               const kube::WatchOptions& options,
                               const std::function<bool(const kube::WatchEvent&)>& on_event,
                               const kube::StopToken* stop) {
  if (absl::Status s = TakeFailure("watch"); !s.ok()) return s;
  const std::string gvk_key = GvkKey(gvk);
  auto matches = [&](const std::string& event_gvk, const std::string& event_ns, const object::Value& obj) {
    return event_gvk == gvk_key && (ns.empty() || event_ns == ns) && MatchesSelector(obj, options.label_selector);
  };
  int64_t from = 0;
  int64_t epoch = 0;
  std::vector<kube::WatchEvent> batch;
  {
    absl::MutexLock l(&state_->mu);
    epoch = state_->watch_epoch;
    if (options.resource_version.empty() || options.resource_version == "0") {
      from = state_->rv;
      for (const auto& [k, v] : state_->objects) {
        if (matches(GvkKey(GvkOf(v)), NamespaceOf(v), v)) batch.push_back({"ADDED", v});
      }
    } else {
      from = std::stoll(options.resource_version);
      if (from < state_->compacted_rv) {
        return absl::OutOfRangeError(absl::StrCat("too old resource version: ", from, " (", state_->compacted_rv, ")"));
      }
    }
  }
  auto deadline = options.timeout_seconds > 0
                      ? std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds)
                      : std::chrono::steady_clock::time_point::max();
  while (true) {
    for (const auto& ev : batch) {
      if (!on_event(ev)) return absl::OkStatus();
    }
    batch.clear();
    absl::MutexLock l(&state_->mu);
    while (true) {
      if (stop != nullptr && stop->stopped()) return absl::OkStatus();
      if (state_->watch_epoch != epoch) return absl::OkStatus();
      if (std::chrono::steady_clock::now() >= deadline) return absl::OkStatus();
      if (from < state_->compacted_rv) return absl::OutOfRangeError("too old resource version");
      for (const auto& e : state_->log) {
        if (e.rv > from && matches(e.gvk_key, e.ns, e.obj)) batch.push_back({e.type, e.obj});
      }
      from = state_->rv;
      if (!batch.empty()) break;
      state_->cv.WaitWithTimeout(&state_->mu, absl::Milliseconds(20));
    }
  }
}

absl::StatusOr<std::string> FakeClient::RawGet(const std::string&) {
  return absl::UnimplementedError("FakeClient: RawGet");
}

}  // namespace fluxcpp::runtime::testing
