#pragma once
// One watch stream's filter and event queue.
//
// The store offers every committed event to the watchers of its resource
// while holding the store lock (so each watcher sees events in resourceVersion
// order, with no gaps); Offer only filters and enqueues, so fan-out never
// blocks writers on a slow client. The HTTP thread serving the watch drains
// the queue with Next. A watcher whose queue exceeds its limit is closed
// (the client must re-watch), as kube-apiserver drops slow watchers.
//
// Thread-safe.

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/apimachinery/field_selector.h"
#include "libs/apimachinery/label_selector.h"

namespace fluxcpp::devapiserver {

enum class EventType { kAdded, kModified, kDeleted };

const char* EventTypeName(EventType type);

// A committed change of one object.
struct Event {
  int64_t rv = 0;
  EventType type = EventType::kAdded;
  std::string resource;  // GroupResource, e.g. "deployments.apps"
  std::string ns;
  std::string name;
  std::shared_ptr<const std::string> json;  // object after the change (DELETED: its last state)
  apimachinery::Labels labels;
  std::shared_ptr<const std::string> old_json;  // before the change (MODIFIED), else null
  apimachinery::Labels old_labels;
};
using EventPtr = std::shared_ptr<const Event>;

struct WatchFilter {
  std::string resource;
  std::string ns;  // "" = all namespaces
  apimachinery::LabelSelector labels;
  apimachinery::FieldSelector fields;
};

class Watcher {
 public:
  struct Delivery {
    const char* type;  // ADDED / MODIFIED / DELETED
    std::shared_ptr<const std::string> json;
    int64_t rv;
  };

  Watcher(WatchFilter filter, size_t queue_limit) : filter_(std::move(filter)), queue_limit_(queue_limit) {}

  const WatchFilter& filter() const { return filter_; }

  // Filters `event` and enqueues what this watcher must see (an ADDED or
  // DELETED when the object moves into or out of the selectors).
  void Offer(const EventPtr& event);
  // Enqueues a synthetic ADDED (initial state) when it matches the filter.
  void OfferInitial(const EventPtr& event);

  // Waits up to `timeout` for deliveries and takes all queued ones.
  std::vector<Delivery> Next(absl::Duration timeout);
  // True when no delivery is queued.
  bool Idle() const;

  // Ends the watch; Next returns promptly afterwards.
  void Close(std::string reason);
  bool closed() const;
  std::string close_reason() const;

 private:
  bool Matches(const std::string& ns, const std::string& name, const apimachinery::Labels& labels,
               const std::shared_ptr<const std::string>& json) const;
  void Push(const char* type, const EventPtr& event);

  const WatchFilter filter_;
  const size_t queue_limit_;
  mutable absl::Mutex mu_;
  std::deque<Delivery> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::string close_reason_ ABSL_GUARDED_BY(mu_);
};

}  // namespace fluxcpp::devapiserver
