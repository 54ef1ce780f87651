#pragma once
// A small Prometheus registry: counters, gauges and histograms with labels,
// exposed in the text format 0.0.4 exactly as Go's client_golang writes it:
//  * families sorted by name; a family without series is omitted (a family
//    without labels always has its one series);
//  * label pairs sorted by label name ("le" last on buckets); series sorted
//    by label values;
//  * numbers formatted like Go's strconv.FormatFloat(v, 'g', -1, 64)
//    ("0.01", "1800", "1.8e+06"), "+Inf"/"-Inf"/"NaN".
//
//   MetricsRegistry registry;
//   auto& total = registry.AddCounter("x_total", "Help.", {"controller"});
//   total.WithLabels({"kustomization"})->Inc();
//   std::string text = registry.Expose();
//
// Thread-safe. Series handles are shared_ptr: a handle stays valid (but is
// no longer exported) after its series is removed.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace fluxcpp::runtime {

class Counter {
 public:
  void Inc(double v = 1) { value_.fetch_add(v); }
  // For collectors mirroring an external monotonic value (process CPU time).
  void Set(double v) { value_.store(v); }
  double Value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v); }
  void Inc(double v = 1) { value_.fetch_add(v); }
  void Dec(double v = 1) { value_.fetch_sub(v); }
  double Value() const { return value_.load(); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `upper_bounds` sorted ascending, without +Inf.
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative_counts;  // one per bound
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double> upper_bounds_;
  mutable absl::Mutex mu_;
  std::vector<uint64_t> bucket_counts_ ABSL_GUARDED_BY(mu_);  // non-cumulative
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;
  double sum_ ABSL_GUARDED_BY(mu_) = 0;
};

enum class MetricType { kCounter, kGauge, kHistogram };

// Shared part of a metric family: name, help, label names, exposition.
class MetricFamilyBase {
 public:
  MetricFamilyBase(std::string name, std::string help, std::vector<std::string> label_names, MetricType type)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)), type_(type) {}
  virtual ~MetricFamilyBase() = default;

  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends this family in text format; nothing when it has no series.
  virtual void AppendText(std::string& out) const = 0;

 protected:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const MetricType type_;
};

// All series of one metric, keyed by label values (in label_names order).
template <typename T>
class MetricFamily : public MetricFamilyBase {
 public:
  using Factory = std::function<std::shared_ptr<T>()>;
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names, MetricType type,
               Factory factory)
      : MetricFamilyBase(std::move(name), std::move(help), std::move(label_names), type),
        factory_(std::move(factory)) {
    if (label_names_.empty()) WithLabels({});
  }

  // The series for these label values (created on first use). Missing
  // values are treated as "", extra values are ignored.
  std::shared_ptr<T> WithLabels(std::vector<std::string> values) {
    values.resize(label_names_.size());
    absl::MutexLock lock(&mu_);
    auto& slot = series_[values];
    if (slot == nullptr) slot = factory_();
    return slot;
  }

  // Removes one series; true when it existed.
  bool Remove(std::vector<std::string> values) {
    values.resize(label_names_.size());
    absl::MutexLock lock(&mu_);
    return series_.erase(values) > 0;
  }

  // Removes every series whose labels include all of `match` (name → value);
  // returns how many were removed.
  int RemoveMatching(const std::map<std::string, std::string>& match) {
    std::vector<std::pair<size_t, std::string>> want;
    for (const auto& [k, v] : match) {
      for (size_t i = 0; i < label_names_.size(); ++i) {
        if (label_names_[i] == k) want.emplace_back(i, v);
      }
    }
    absl::MutexLock lock(&mu_);
    int removed = 0;
    for (auto it = series_.begin(); it != series_.end();) {
      bool hit = true;
      for (const auto& [i, v] : want) hit = hit && it->first[i] == v;
      if (hit) {
        it = series_.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
    return removed;
  }

  size_t SeriesCount() const {
    absl::MutexLock lock(&mu_);
    return series_.size();
  }

  void AppendText(std::string& out) const override;

 private:
  Factory factory_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::shared_ptr<T>> series_ ABSL_GUARDED_BY(mu_);
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registers a family, or returns the one already registered under `name`
  // (several controllers share the standard families). Re-registering a name
  // with another type or other labels is a programming error and aborts.
  CounterFamily& AddCounter(const std::string& name, const std::string& help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(const std::string& name, const std::string& help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(const std::string& name, const std::string& help,
                                std::vector<std::string> label_names, std::vector<double> buckets);

  // Runs before every Expose(), e.g. to refresh process_* gauges.
  void AddCollectHook(std::function<void()> hook);

  // The whole registry in text format 0.0.4.
  std::string Expose() const;

  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  MetricFamilyBase* FindLocked(const std::string& name, MetricType type,
                               const std::vector<std::string>& label_names) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<MetricFamilyBase>> families_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> hooks_ ABSL_GUARDED_BY(mu_);
};

// prometheus.ExponentialBucketsRange: `count` buckets from `min` to `max`,
// each a constant factor larger than the previous one.
std::vector<double> ExponentialBucketsRange(double min, double max, int count);
// prometheus.ExponentialBuckets: start, start*factor, ... (`count` values).
std::vector<double> ExponentialBuckets(double start, double factor, int count);

// Go's strconv.FormatFloat(v, 'g', -1, 64) with Prometheus' special values.
std::string FormatMetricValue(double v);

}  // namespace fluxcpp::runtime
