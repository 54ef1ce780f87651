#include "libs/runtime/metrics.h"

#include <sstream>

#include <catch2/catch.hpp>

#include "libs/runtime/controller_metrics.h"
#include "libs/runtime/process_metrics.h"

namespace fluxcpp::runtime {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

TEST_CASE("FormatMetricValue matches Go's 'g' formatting", "[metrics]") {
  REQUIRE(FormatMetricValue(0) == "0");
  REQUIRE(FormatMetricValue(1) == "1");
  REQUIRE(FormatMetricValue(-1) == "-1");
  REQUIRE(FormatMetricValue(0.01) == "0.01");
  REQUIRE(FormatMetricValue(1800) == "1800");
  REQUIRE(FormatMetricValue(100000) == "100000");
  REQUIRE(FormatMetricValue(1e6) == "1e+06");
  REQUIRE(FormatMetricValue(18034688) == "1.8034688e+07");
  REQUIRE(FormatMetricValue(1e-8) == "1e-08");
  REQUIRE(FormatMetricValue(0.0001) == "0.0001");
  REQUIRE(FormatMetricValue(0.00001) == "1e-05");
  REQUIRE(FormatMetricValue(2.5) == "2.5");
  REQUIRE(FormatMetricValue(123.456) == "123.456");
  REQUIRE(FormatMetricValue(1.0 / 0.0) == "+Inf");
  REQUIRE(FormatMetricValue(-1.0 / 0.0) == "-Inf");
}

TEST_CASE("ExponentialBucketsRange gives Flux's reconcile duration buckets", "[metrics]") {
  auto b = ExponentialBucketsRange(0.01, 1800, 10);
  REQUIRE(b.size() == 10);
  REQUIRE(b.front() == 0.01);
  REQUIRE(b.back() == Approx(1800));
  for (size_t i = 1; i < b.size(); ++i) REQUIRE(b[i] / b[i - 1] == Approx(3.836358348869254));
  REQUIRE(FormatMetricValue(b[1]) == "0.038363583488692544");
  REQUIRE(ExponentialBuckets(10e-9, 10, 12).size() == 12);
}

TEST_CASE("Counter and gauge exposition", "[metrics]") {
  MetricsRegistry r;
  auto& total = r.AddCounter("controller_runtime_reconcile_total", "Total number of reconciliations per controller",
                             {"result", "controller"});
  total.WithLabels({"success", "gitrepository"})->Inc();
  total.WithLabels({"error", "gitrepository"})->Inc(2);
  auto& g = r.AddGauge("a_gauge", "Help with \\ and\nnewline.", {"name"});
  g.WithLabels({"quote\"d"})->Set(0.5);
  r.AddGauge("empty_gauge", "Never set.", {"x"});  // no series: omitted

  auto lines = Lines(r.Expose());
  std::vector<std::string> want = {
      "# HELP a_gauge Help with \\\\ and\\nnewline.",
      "# TYPE a_gauge gauge",
      "a_gauge{name=\"quote\\\"d\"} 0.5",
      "# HELP controller_runtime_reconcile_total Total number of reconciliations per controller",
      "# TYPE controller_runtime_reconcile_total counter",
      // labels sorted by name; series sorted by label values
      "controller_runtime_reconcile_total{controller=\"gitrepository\",result=\"error\"} 2",
      "controller_runtime_reconcile_total{controller=\"gitrepository\",result=\"success\"} 1",
  };
  REQUIRE(lines == want);

  // Same name, same shape: the same family.
  auto& again = r.AddCounter("controller_runtime_reconcile_total", "x", {"result", "controller"});
  REQUIRE(&again == &total);
}

TEST_CASE("Histogram exposition, line by line", "[metrics]") {
  MetricsRegistry r;
  ControllerMetrics m(r);
  m.RecordDuration("GitRepository", "flux-system", "podinfo", 50ms);
  m.RecordDuration("GitRepository", "flux-system", "podinfo", 3s);
  m.RecordDuration("GitRepository", "flux-system", "podinfo", 2h);

  std::string text = r.Expose();
  auto lines = Lines(text);
  auto begin = std::find(lines.begin(), lines.end(),
                         "# HELP gotk_reconcile_duration_seconds The duration in seconds of a GitOps Toolkit "
                         "resource reconciliation.");
  REQUIRE(begin != lines.end());
  std::vector<std::string> got(begin, begin + 15);
  const std::string l = "kind=\"GitRepository\",name=\"podinfo\",namespace=\"flux-system\"";
  std::vector<std::string> want = {
      "# HELP gotk_reconcile_duration_seconds The duration in seconds of a GitOps Toolkit resource reconciliation.",
      "# TYPE gotk_reconcile_duration_seconds histogram",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"0.01\"} 0",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"0.038363583488692544\"} 0",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"0.1471764538093883\"} 1",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"0.5646216173286169\"} 1",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"2.166090855590701\"} 1",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"8.309900738254731\"} 2",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"31.879757075478317\"} 2",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"122.30217221643493\"} 2",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"469.19495946736544\"} 2",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"1799.9999999999986\"} 2",
      "gotk_reconcile_duration_seconds_bucket{" + l + ",le=\"+Inf\"} 3",
      "gotk_reconcile_duration_seconds_sum{" + l + "} 7203.05",
      "gotk_reconcile_duration_seconds_count{" + l + "} 3",
  };
  REQUIRE(got == want);

  m.DeleteObject("GitRepository", "flux-system", "podinfo");
  REQUIRE(r.Expose().find("gotk_reconcile_duration_seconds") == std::string::npos);
}

TEST_CASE("Controller and workqueue metrics", "[metrics]") {
  MetricsRegistry r;
  ControllerMetrics m(r);
  auto wq = m.NewWorkQueueMetrics("kustomization");
  wq->OnAdd();
  wq->OnDepth(3);
  wq->OnRetry();
  m.RecordReconcile("kustomization", "error", 10ms);
  m.RecordCondition("Kustomization", "default", "app", "Ready", "False");
  m.RecordSuspend("Kustomization", "default", "app", true);
  std::string text = r.Expose();
  REQUIRE(text.find("workqueue_adds_total{controller=\"kustomization\",name=\"kustomization\"} 1\n") !=
          std::string::npos);
  REQUIRE(text.find("workqueue_depth{controller=\"kustomization\",name=\"kustomization\"} 3\n") !=
          std::string::npos);
  REQUIRE(text.find("controller_runtime_reconcile_total{controller=\"kustomization\",result=\"error\"} 1\n") !=
          std::string::npos);
  REQUIRE(text.find("controller_runtime_reconcile_total{controller=\"kustomization\",result=\"success\"} 0\n") !=
          std::string::npos);
  REQUIRE(text.find("controller_runtime_reconcile_errors_total{controller=\"kustomization\"} 1\n") !=
          std::string::npos);
  REQUIRE(text.find("gotk_reconcile_condition{kind=\"Kustomization\",name=\"app\",namespace=\"default\",status="
                    "\"False\",type=\"Ready\"} 1\n") != std::string::npos);
  REQUIRE(text.find("gotk_reconcile_condition{kind=\"Kustomization\",name=\"app\",namespace=\"default\",status="
                    "\"True\",type=\"Ready\"} 0\n") != std::string::npos);
  REQUIRE(text.find("gotk_suspend_status{kind=\"Kustomization\",name=\"app\",namespace=\"default\"} 1\n") !=
          std::string::npos);
}

TEST_CASE("Process metrics come from /proc/self", "[metrics]") {
  MetricsRegistry r;
  RegisterProcessMetrics(r);
  std::string text = r.Expose();
  REQUIRE(text.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos);
  REQUIRE(text.find("\nprocess_resident_memory_bytes ") != std::string::npos);
  REQUIRE(text.find("process_resident_memory_bytes 0\n") == std::string::npos);
  auto pos = text.find("\nprocess_start_time_seconds ");
  REQUIRE(pos != std::string::npos);
  double start = std::stod(text.substr(pos + 28));
  REQUIRE(start > 1.5e9);
}

}  // namespace
}  // namespace fluxcpp::runtime
