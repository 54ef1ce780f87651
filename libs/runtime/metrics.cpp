#include "libs/runtime/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

namespace fluxcpp::runtime {
namespace {

void AppendEscaped(std::string& out, std::string_view s, bool escape_quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

void AppendHeader(std::string& out, const std::string& name, const std::string& help, MetricType type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  AppendEscaped(out, help, /*escape_quote=*/false);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += TypeName(type);
  out += '\n';
}

// Label pairs sorted by name, as client_golang does.
std::vector<size_t> SortedLabelOrder(const std::vector<std::string>& names) {
  std::vector<size_t> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return names[a] < names[b]; });
  return order;
}

// Appends `name{l1="v1",...[,extra_name="extra_value"]} value\n`.
void AppendSample(std::string& out, std::string_view name, const std::vector<std::string>& label_names,
                  const std::vector<size_t>& order, const std::vector<std::string>& values,
                  std::string_view extra_name, std::string_view extra_value, double value) {
  out += name;
  bool any = !order.empty() || !extra_name.empty();
  if (any) {
    out += '{';
    bool first = true;
    for (size_t i : order) {
      if (!first) out += ',';
      first = false;
      out += label_names[i];
      out += "=\"";
      AppendEscaped(out, values[i], /*escape_quote=*/true);
      out += '"';
    }
    if (!extra_name.empty()) {
      if (!first) out += ',';
      out += extra_name;
      out += "=\"";
      out += extra_value;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += FormatMetricValue(value);
  out += '\n';
}

// client_golang sorts series by their label values in sorted-name order.
template <typename T>
std::vector<std::pair<std::vector<std::string>, std::shared_ptr<T>>> SortedSeries(
    const std::map<std::vector<std::string>, std::shared_ptr<T>>& series, const std::vector<size_t>& order) {
  std::vector<std::pair<std::vector<std::string>, std::shared_ptr<T>>> out(series.begin(), series.end());
  std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    for (size_t i : order) {
      if (a.first[i] != b.first[i]) return a.first[i] < b.first[i];
    }
    return false;
  });
  return out;
}

// Go's math.Pow algorithm (fractional part via exp/log, integer part by
// repeated squaring on the frexp mantissa), so bucket bounds print with the
// same digits as client_golang's.
double GoPow(double x, double y) {
  if (y == 0 || x == 1) return 1;
  if (y == 1) return x;
  if (std::isnan(x) || std::isnan(y) || x <= 0 || std::isinf(x) || std::isinf(y)) return std::pow(x, y);
  if (y == 0.5) return std::sqrt(x);
  if (y == -0.5) return 1 / std::sqrt(x);
  double yi;
  double yf = std::modf(std::fabs(y), &yi);
  double a1 = 1.0;
  int64_t ae = 0;
  if (yf != 0) {
    if (yf > 0.5) {
      yf -= 1;
      yi += 1;
    }
    a1 = std::exp(yf * std::log(x));
  }
  int xe_int = 0;
  double x1 = std::frexp(x, &xe_int);
  int64_t xe = xe_int;
  for (int64_t i = static_cast<int64_t>(yi); i != 0; i >>= 1) {
    if (xe < -(1 << 12) || (1 << 12) < xe) {
      ae += xe;
      break;
    }
    if ((i & 1) == 1) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe <<= 1;
    if (x1 < .5) {
      x1 += x1;
      xe--;
    }
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  return std::ldexp(a1, static_cast<int>(ae));
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), bucket_counts_(upper_bounds_.size(), 0) {}

void Histogram::Observe(double v) {
  // First bucket whose upper bound is >= v ("le" semantics).
  size_t i = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), v) - upper_bounds_.begin();
  absl::MutexLock lock(&mu_);
  if (i < bucket_counts_.size()) ++bucket_counts_[i];
  ++count_;
  sum_ += v;
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.upper_bounds = upper_bounds_;
  absl::MutexLock lock(&mu_);
  uint64_t running = 0;
  for (uint64_t c : bucket_counts_) {
    running += c;
    s.cumulative_counts.push_back(running);
  }
  s.count = count_;
  s.sum = sum_;
  return s;
}

template <>
void MetricFamily<Counter>::AppendText(std::string& out) const {
  absl::MutexLock lock(&mu_);
  if (series_.empty()) return;
  AppendHeader(out, name_, help_, type_);
  auto order = SortedLabelOrder(label_names_);
  for (const auto& [values, c] : SortedSeries(series_, order)) {
    AppendSample(out, name_, label_names_, order, values, "", "", c->Value());
  }
}

template <>
void MetricFamily<Gauge>::AppendText(std::string& out) const {
  absl::MutexLock lock(&mu_);
  if (series_.empty()) return;
  AppendHeader(out, name_, help_, type_);
  auto order = SortedLabelOrder(label_names_);
  for (const auto& [values, g] : SortedSeries(series_, order)) {
    AppendSample(out, name_, label_names_, order, values, "", "", g->Value());
  }
}

template <>
void MetricFamily<Histogram>::AppendText(std::string& out) const {
  absl::MutexLock lock(&mu_);
  if (series_.empty()) return;
  AppendHeader(out, name_, help_, type_);
  auto order = SortedLabelOrder(label_names_);
  const std::string bucket = name_ + "_bucket";
  for (const auto& [values, h] : SortedSeries(series_, order)) {
    Histogram::Snapshot s = h->Read();
    for (size_t i = 0; i < s.upper_bounds.size(); ++i) {
      AppendSample(out, bucket, label_names_, order, values, "le", FormatMetricValue(s.upper_bounds[i]),
                   static_cast<double>(s.cumulative_counts[i]));
    }
    AppendSample(out, bucket, label_names_, order, values, "le", "+Inf", static_cast<double>(s.count));
    AppendSample(out, name_ + "_sum", label_names_, order, values, "", "", s.sum);
    AppendSample(out, name_ + "_count", label_names_, order, values, "", "", static_cast<double>(s.count));
  }
}

MetricFamilyBase* MetricsRegistry::FindLocked(const std::string& name, MetricType type,
                                              const std::vector<std::string>& label_names) const {
  auto it = families_.find(name);
  if (it == families_.end()) return nullptr;
  if (it->second->type() != type || it->second->label_names() != label_names) {
    std::fprintf(stderr, "metrics: %s registered twice with different type or labels\n", name.c_str());
    std::abort();
  }
  return it->second.get();
}

CounterFamily& MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                           std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  if (auto* f = FindLocked(name, MetricType::kCounter, label_names)) return *static_cast<CounterFamily*>(f);
  auto family = std::make_unique<CounterFamily>(name, help, std::move(label_names), MetricType::kCounter,
                                                [] { return std::make_shared<Counter>(); });
  auto* raw = family.get();
  families_[name] = std::move(family);
  return *raw;
}

GaugeFamily& MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                       std::vector<std::string> label_names) {
  absl::MutexLock lock(&mu_);
  if (auto* f = FindLocked(name, MetricType::kGauge, label_names)) return *static_cast<GaugeFamily*>(f);
  auto family = std::make_unique<GaugeFamily>(name, help, std::move(label_names), MetricType::kGauge,
                                              [] { return std::make_shared<Gauge>(); });
  auto* raw = family.get();
  families_[name] = std::move(family);
  return *raw;
}

HistogramFamily& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                               std::vector<std::string> label_names, std::vector<double> buckets) {
  absl::MutexLock lock(&mu_);
  if (auto* f = FindLocked(name, MetricType::kHistogram, label_names)) return *static_cast<HistogramFamily*>(f);
  std::sort(buckets.begin(), buckets.end());
  auto family = std::make_unique<HistogramFamily>(name, help, std::move(label_names), MetricType::kHistogram,
                                                  [buckets] { return std::make_shared<Histogram>(buckets); });
  auto* raw = family.get();
  families_[name] = std::move(family);
  return *raw;
}

void MetricsRegistry::AddCollectHook(std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  hooks_.push_back(std::move(hook));
}

std::string MetricsRegistry::Expose() const {
  std::vector<std::function<void()>> hooks;
  {
    absl::MutexLock lock(&mu_);
    hooks = hooks_;
  }
  for (const auto& hook : hooks) hook();
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) family->AppendText(out);
  return out;
}

std::vector<double> ExponentialBucketsRange(double min, double max, int count) {
  std::vector<double> out;
  if (count < 1 || min <= 0 || max <= min) return out;
  if (count == 1) return {min};
  double factor = GoPow(max / min, 1.0 / static_cast<double>(count - 1));
  for (int i = 1; i <= count; ++i) out.push_back(min * GoPow(factor, static_cast<double>(i - 1)));
  return out;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> out;
  double v = start;
  for (int i = 0; i < count; ++i) {
    out.push_back(v);
    v *= factor;
  }
  return out;
}

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Shortest round-trip digits in scientific form: "d[.ddd]e[+-]XX".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  int exp = std::atoi(sci.c_str() + e + 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out = neg ? "-" : "";
  // Go: %e when exp < -4 || exp >= eprec, eprec = 6 for shortest formatting.
  if (exp < -4 || exp >= 6) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    char ebuf[16];
    std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += ebuf;
    return out;
  }
  if (exp < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp - 1), '0');
    out += digits;
  } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(exp) + 1 - digits.size(), '0');
  } else {
    out += digits.substr(0, exp + 1);
    out += '.';
    out += digits.substr(exp + 1);
  }
  return out;
}

}  // namespace fluxcpp::runtime
