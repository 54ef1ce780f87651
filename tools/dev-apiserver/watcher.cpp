#include "tools/dev-apiserver/watcher.h"

#include "libs/object/value.h"

namespace fluxcpp::devapiserver {

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kAdded: return "ADDED";
    case EventType::kModified: return "MODIFIED";
    case EventType::kDeleted: return "DELETED";
  }
  return "";
}

bool Watcher::Matches(const std::string& ns, const std::string& name, const apimachinery::Labels& labels,
                      const std::shared_ptr<const std::string>& json) const {
  if (!filter_.ns.empty() && filter_.ns != ns) return false;
  if (!filter_.labels.Matches(labels)) return false;
  if (filter_.fields.Empty()) return true;
  bool needs_object = false;
  for (const auto& term : filter_.fields.terms()) {
    if (term.field == "metadata.name") {
      if ((name == term.value) == term.negate) return false;
    } else if (term.field == "metadata.namespace") {
      if ((ns == term.value) == term.negate) return false;
    } else {
      needs_object = true;
    }
  }
  if (!needs_object) return true;
  if (json == nullptr) return false;
  auto parsed = object::ParseJson(*json);
  return parsed.ok() && filter_.fields.Matches(*parsed);
}

void Watcher::Push(const char* type, const EventPtr& event) {
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  if (queue_.size() >= queue_limit_) {
    closed_ = true;
    close_reason_ = "watcher queue overflow";
    queue_.clear();
    return;
  }
  queue_.push_back({type, event->json, event->rv});
}

void Watcher::Offer(const EventPtr& event) {
  if (event->resource != filter_.resource) return;
  bool now = Matches(event->ns, event->name, event->labels, event->json);
  if (event->type != EventType::kModified) {
    if (now) Push(EventTypeName(event->type), event);
    return;
  }
  bool before = event->old_json == nullptr ? now : Matches(event->ns, event->name, event->old_labels, event->old_json);
  if (now && before) {
    Push("MODIFIED", event);
  } else if (now) {
    Push("ADDED", event);
  } else if (before) {
    Push("DELETED", event);
  }
}

void Watcher::OfferInitial(const EventPtr& event) {
  if (Matches(event->ns, event->name, event->labels, event->json)) Push("ADDED", event);
}

std::vector<Watcher::Delivery> Watcher::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closed_ || !queue_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  std::vector<Delivery> out(queue_.begin(), queue_.end());
  queue_.clear();
  return out;
}

bool Watcher::Idle() const {
  absl::MutexLock lock(&mu_);
  return queue_.empty();
}

void Watcher::Close(std::string reason) {
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  closed_ = true;
  close_reason_ = std::move(reason);
}

bool Watcher::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

std::string Watcher::close_reason() const {
  absl::MutexLock lock(&mu_);
  return close_reason_;
}

}  // namespace fluxcpp::devapiserver
