#include "libs/runtime/events.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/runtime/object_meta.h"

namespace fluxcpp::runtime {
namespace {

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

std::string HexNanos() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(ns));
  return buf;
}

}  // namespace

InvolvedObject InvolvedObject::Of(const object::Value& obj) {
  InvolvedObject o;
  o.kind = object::GetString(obj, {"kind"});
  o.ns = NamespaceOf(obj);
  o.name = NameOf(obj);
  o.uid = object::GetString(obj, {"metadata", "uid"});
  o.api_version = object::GetString(obj, {"apiVersion"});
  o.resource_version = ResourceVersionOf(obj);
  return o;
}

object::Value InvolvedObject::ToValue() const {
  object::Value v = object::Value::object();
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) v[key] = value;
  };
  put("kind", kind);
  put("namespace", ns);
  put("name", name);
  put("uid", uid);
  put("apiVersion", api_version);
  put("resourceVersion", resource_version);
  return v;
}

object::Value FluxEvent::ToValue() const {
  object::Value v = object::Value::object();
  v["involvedObject"] = involved_object.ToValue();
  v["severity"] = severity;
  v["timestamp"] = timestamp;
  v["message"] = message;
  v["reason"] = reason;
  if (!metadata.empty()) {
    object::Value m = object::Value::object();
    for (const auto& [k, val] : metadata) m[k] = val;
    v["metadata"] = m;
  }
  v["reportingController"] = reporting_controller;
  if (!reporting_instance.empty()) v["reportingInstance"] = reporting_instance;
  return v;
}

EventRecorder::EventRecorder(kube::Client& client, EventRecorderOptions options)
    : client_(client),
      options_(std::move(options)),
      instance_(options_.reporting_instance.empty() ? HostName() : options_.reporting_instance) {
  thread_ = std::thread([this] { Run(); });
}

EventRecorder::~EventRecorder() {
  Flush(std::chrono::seconds(10));
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    cv_.SignalAll();
  }
  thread_.join();
}

std::string TruncateEventMessage(std::string_view message, size_t max_bytes) {
  if (message.size() <= max_bytes) return std::string(message);
  constexpr std::string_view kEllipsis = "...";
  size_t cut = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  // Back up over UTF-8 continuation bytes (10xxxxxx) to a character start.
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
  return std::string(message.substr(0, cut)) + std::string(kEllipsis);
}

void EventRecorder::Event(const object::Value& obj, EventType type, std::string_view reason,
                          std::string_view message, const std::map<std::string, std::string>& metadata) {
  Pending p;
  p.involved = InvolvedObject::Of(obj);
  p.k8s_type = type == EventType::kWarning ? "Warning" : "Normal";
  p.reason = std::string(reason);
  p.message = TruncateEventMessage(message);
  p.annotations = metadata;
  p.timestamp = NowRfc3339();
  if (type != EventType::kTrace && options_.sink) {
    FluxEvent e;
    e.involved_object = p.involved;
    e.severity = type == EventType::kWarning ? "error" : "info";
    e.timestamp = p.timestamp;
    e.message = p.message;
    e.reason = p.reason;
    e.metadata = metadata;
    if (const object::Value* ann = object::Find(obj, {"metadata", "annotations"}); ann && ann->is_object()) {
      for (auto it = ann->begin(); it != ann->end(); ++it) {
        if (it.key().rfind(kEventAnnotationPrefix, 0) != 0 || !it.value().is_string()) continue;
        std::string key = it.key().substr(kEventAnnotationPrefix.size());
        if (!key.empty()) e.metadata.emplace(key, it.value().get<std::string>());  // caller keys win
      }
    }
    e.reporting_controller = options_.controller_name;
    e.reporting_instance = instance_;
    p.forward = std::move(e);
  }
  absl::MutexLock l(&mu_);
  if (p.forward.has_value() && options_.forward_dedup_window > Duration::zero()) {
    const FluxEvent& e = *p.forward;
    std::string key = absl::StrCat(e.involved_object.kind, "/", e.involved_object.ns, "/", e.involved_object.name,
                                   "\x1f", e.severity, "\x1f", e.reason, "\x1f", e.message);
    for (const auto& [k, v] : e.metadata) absl::StrAppend(&key, "\x1f", k, "=", v);  // e.g. the revision
    auto now = std::chrono::steady_clock::now();
    auto [it, inserted] = forwarded_.try_emplace(key, now);
    if (!inserted && now - it->second < options_.forward_dedup_window) {
      p.forward.reset();  // forwarded recently: do not flood notification-controller
    } else {
      it->second = now;
    }
    if (forwarded_.size() > options_.max_correlation_entries) {
      for (auto f = forwarded_.begin(); f != forwarded_.end();) {
        f = now - f->second >= options_.forward_dedup_window ? forwarded_.erase(f) : std::next(f);
      }
    }
  }
  if (pending_.size() >= options_.max_pending) {
    options_.logger.Error("event queue full, dropping event", {{"reason", p.reason}, {"name", p.involved.name}});
    return;
  }
  pending_.push_back(std::move(p));
  cv_.Signal();
}

bool EventRecorder::Flush(Duration timeout) {
  absl::MutexLock l(&mu_);
  absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
  while (!pending_.empty() || busy_) {
    if (idle_cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return pending_.empty() && !busy_;
}

void EventRecorder::Run() {
  while (true) {
    Pending p;
    {
      absl::MutexLock l(&mu_);
      while (pending_.empty() && !stop_) cv_.Wait(&mu_);
      if (pending_.empty() && stop_) return;
      p = std::move(pending_.front());
      pending_.pop_front();
      busy_ = true;
    }
    Write(p);
    if (p.forward.has_value()) options_.sink(*p.forward);
    absl::MutexLock l(&mu_);
    busy_ = false;
    if (pending_.empty()) idle_cv_.SignalAll();
  }
}

void EventRecorder::Write(const Pending& p) {
  std::string event_ns = p.involved.ns.empty() ? "default" : p.involved.ns;
  std::string ckey = absl::StrCat(p.involved.uid, "\x1f", p.involved.kind, "\x1f", p.involved.ns, "\x1f",
                                  p.involved.name, "\x1f", p.k8s_type, "\x1f", p.reason, "\x1f", p.message);
  auto now = std::chrono::steady_clock::now();
  kube::GroupVersionKind event_gvk{"", "v1", "Event"};

  auto it = correlations_.find(ckey);
  if (it != correlations_.end() && now - it->second.last_seen <= options_.aggregation_window) {
    Correlation& c = it->second;
    object::Value patch = {{"count", c.count + 1}, {"lastTimestamp", p.timestamp}};
    absl::StatusOr<object::Value> res =
        client_.Patch(event_gvk, c.event_ns, c.event_name, kube::PatchType::kMerge, patch);
    if (res.ok()) {
      c.count += 1;
      c.last_seen = now;
      lru_.splice(lru_.begin(), lru_, c.lru);
      return;
    }
    if (!absl::IsNotFound(res.status())) {
      options_.logger.Error("failed to update event", {{"error", std::string(res.status().message())}});
      return;
    }
    // The Event expired or was deleted: create a fresh one below.
  }
  if (it != correlations_.end()) {
    lru_.erase(it->second.lru);
    correlations_.erase(it);
  }

  std::string name = absl::StrCat(p.involved.name, ".", HexNanos());
  object::Value ev = object::Value::object();
  ev["apiVersion"] = "v1";
  ev["kind"] = "Event";
  ev["metadata"]["name"] = name;
  ev["metadata"]["namespace"] = event_ns;
  if (!p.annotations.empty()) {
    for (const auto& [k, v] : p.annotations) ev["metadata"]["annotations"][k] = v;
  }
  ev["involvedObject"] = p.involved.ToValue();
  ev["reason"] = p.reason;
  ev["message"] = p.message;
  ev["source"]["component"] = options_.controller_name;
  ev["firstTimestamp"] = p.timestamp;
  ev["lastTimestamp"] = p.timestamp;
  ev["count"] = 1;
  ev["type"] = p.k8s_type;
  ev["reportingComponent"] = options_.controller_name;
  ev["reportingInstance"] = instance_;
  absl::StatusOr<object::Value> res = client_.Create(ev);
  if (!res.ok()) {
    options_.logger.Error("failed to record event", {{"reason", p.reason}, {"error", std::string(res.status().message())}});
    return;
  }
  lru_.push_front(ckey);
  correlations_[ckey] = Correlation{name, event_ns, 1, now, lru_.begin()};
  while (correlations_.size() > options_.max_correlation_entries && !lru_.empty()) {
    correlations_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace fluxcpp::runtime
