#pragma once
// EventRecorder: Kubernetes core/v1 Events for Flux objects, plus Flux's
// event forwarding (to notification-controller) through a pluggable sink.
//
//  * Kubernetes side: an Event named "<object name>.<hex unix nanos>" in
//    the object's namespace ("default" for cluster-scoped objects) with
//    involvedObject, reason, message, type Normal|Warning, source.component
//    = reporting controller, first/lastTimestamp and count. Repeats of the
//    same (object, type, reason, message) within `aggregation_window`
//    (10 min) bump count/lastTimestamp on the existing Event (a simple
//    version of client-go's correlator). Caller metadata becomes the
//    Event's annotations.
//  * Flux side: unless the type is Trace, a FluxEvent goes to the sink with
//    severity "error" for Warning and "info" for Normal, and metadata =
//    caller metadata + the object's `event.toolkit.fluxcd.io/<key>`
//    annotations as `<key>` (caller keys win).
//  * Trace events are written to Kubernetes as Normal and never forwarded.
//  * Messages longer than kMaxEventMessageBytes (32 KiB) are cut (on a UTF-8
//    boundary) and end with "...".
//  * Forwarding is rate limited: an event identical to one forwarded within
//    `forward_dedup_window` (same object, severity, reason, message and
//    metadata, e.g. the revision) is not forwarded again (the Kubernetes Event is still
//    aggregated). notification-controller applies its own, longer, dedup.
//
// Writes are asynchronous (one background thread, bounded queue; when full
// new events are dropped and logged): recording never blocks a reconcile.
// The sink runs on that thread.
//
// CONTRACT for callers: messages and metadata are published to the cluster
// and to notification providers (Slack, ...). Never put a secret value in
// them.
//
// Thread-safe.

#include <chrono>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/core/duration.h"
#include "libs/core/logger.h"
#include "libs/kube/client.h"
#include "libs/object/value.h"

namespace fluxcpp::runtime {

enum class EventType { kNormal, kWarning, kTrace };

inline constexpr std::string_view kEventAnnotationPrefix = "event.toolkit.fluxcd.io/";
inline constexpr size_t kMaxEventMessageBytes = 32768;

// `message` cut to at most `max_bytes` bytes (ending in "..."), on a UTF-8
// character boundary.
std::string TruncateEventMessage(std::string_view message, size_t max_bytes = kMaxEventMessageBytes);

struct InvolvedObject {
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;

  static InvolvedObject Of(const object::Value& obj);
  object::Value ToValue() const;  // corev1.ObjectReference JSON (empty fields omitted)
};

// Flux's eventv1.Event, as POSTed to notification-controller.
struct FluxEvent {
  InvolvedObject involved_object;
  std::string severity;   // info | error | trace
  std::string timestamp;  // RFC 3339, seconds, UTC
  std::string message;
  std::string reason;
  std::map<std::string, std::string> metadata;
  std::string reporting_controller;
  std::string reporting_instance;

  object::Value ToValue() const;  // the JSON body, field names as Flux's
};

using EventSink = std::function<void(const FluxEvent&)>;

struct EventRecorderOptions {
  // Reporting controller, e.g. "source-controller" (source.component).
  std::string controller_name;
  // Default: the host name (the pod name in a cluster).
  std::string reporting_instance;
  // Receives every non-Trace event; may be empty.
  EventSink sink;
  Duration aggregation_window = std::chrono::minutes(10);
  size_t max_pending = 1000;
  size_t max_correlation_entries = 4096;
  // Identical events are forwarded to the sink at most once per window
  // (0 = no rate limit).
  Duration forward_dedup_window = std::chrono::seconds(30);
  Logger logger;
};

class EventRecorder {
 public:
  // `client` must outlive the recorder.
  EventRecorder(kube::Client& client, EventRecorderOptions options);
  ~EventRecorder();  // writes what is pending, then stops
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void Event(const object::Value& obj, EventType type, std::string_view reason, std::string_view message,
             const std::map<std::string, std::string>& metadata = {});
  void Normal(const object::Value& obj, std::string_view reason, std::string_view message,
              const std::map<std::string, std::string>& metadata = {}) {
    Event(obj, EventType::kNormal, reason, message, metadata);
  }
  void Warning(const object::Value& obj, std::string_view reason, std::string_view message,
               const std::map<std::string, std::string>& metadata = {}) {
    Event(obj, EventType::kWarning, reason, message, metadata);
  }
  void Trace(const object::Value& obj, std::string_view reason, std::string_view message,
             const std::map<std::string, std::string>& metadata = {}) {
    Event(obj, EventType::kTrace, reason, message, metadata);
  }

  // Waits until every event recorded so far has been written (or timeout).
  bool Flush(Duration timeout = std::chrono::seconds(30));

 private:
  struct Pending {
    InvolvedObject involved;
    std::string k8s_type;  // Normal | Warning
    std::string reason;
    std::string message;
    std::map<std::string, std::string> annotations;
    std::string timestamp;
    std::optional<FluxEvent> forward;
  };
  struct Correlation {
    std::string event_name;
    std::string event_ns;
    int64_t count = 0;
    std::chrono::steady_clock::time_point last_seen;
    std::list<std::string>::iterator lru;
  };

  void Run();
  void Write(const Pending& p);

  kube::Client& client_;
  const EventRecorderOptions options_;
  std::string instance_;

  absl::Mutex mu_;
  absl::CondVar cv_;       // work arrived / stop
  absl::CondVar idle_cv_;  // queue drained
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mu_);
  bool busy_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  // Last forward time per identical event (see forward_dedup_window).
  std::map<std::string, std::chrono::steady_clock::time_point> forwarded_ ABSL_GUARDED_BY(mu_);

  // Used by the writer thread only.
  std::map<std::string, Correlation> correlations_;
  std::list<std::string> lru_;  // most recent at front

  std::thread thread_;
};

}  // namespace fluxcpp::runtime
