#include "libs/cel/status_evaluator.h"

#include <catch2/catch.hpp>

using namespace fluxcpp;
using namespace fluxcpp::cel;

namespace {
object::Value Obj(std::string_view json) {
  auto v = object::ParseJson(json);
  REQUIRE(v.ok());
  return *v;
}
HealthCheckExprs Exprs() {
  HealthCheckExprs e;
  e.in_progress = "status.phase == 'Pending'";
  e.failed = "status.phase == 'Failed' || status.phase == 'Pending'";
  e.current = "status.phase == 'Ready'";
  return e;
}
}  // namespace

TEST_CASE("expressions run in Flux order: inProgress, failed, current", "[unit]") {
  auto ev = StatusEvaluator::Create(Exprs());
  REQUIRE(ev.ok());
  CHECK(*ev->Evaluate(Obj(R"({"status": {"phase": "Ready"}})")) == HealthStatus::kCurrent);
  CHECK(*ev->Evaluate(Obj(R"({"status": {"phase": "Failed"}})")) == HealthStatus::kFailed);
  // Both inProgress and failed are true: inProgress wins.
  CHECK(*ev->Evaluate(Obj(R"({"status": {"phase": "Pending"}})")) == HealthStatus::kInProgress);
  // Nothing true: InProgress.
  CHECK(*ev->Evaluate(Obj(R"({"status": {"phase": "Other"}})")) == HealthStatus::kInProgress);
}

TEST_CASE("stale observedGeneration is InProgress without evaluating", "[unit]") {
  HealthCheckExprs e;
  e.current = "status.missing.field";  // would error if evaluated
  auto ev = StatusEvaluator::Create(e);
  REQUIRE(ev.ok());
  auto r = ev->Evaluate(Obj(R"({"metadata": {"generation": 2}, "status": {"observedGeneration": 1}})"));
  REQUIRE(r.ok());
  CHECK(*r == HealthStatus::kInProgress);
  auto err = ev->Evaluate(Obj(R"({"metadata": {"generation": 2}, "status": {"observedGeneration": 2}})"));
  REQUIRE_FALSE(err.ok());
  CHECK(std::string(err.status().message()).find("current expression") != std::string::npos);
  CHECK(std::string(err.status().message()).find("no such key: missing") != std::string::npos);
}

TEST_CASE("non-bool results and compile errors are reported", "[unit]") {
  HealthCheckExprs e;
  e.current = "status.phase";
  auto ev = StatusEvaluator::Create(e);
  REQUIRE(ev.ok());
  auto r = ev->Evaluate(Obj(R"({"status": {"phase": "Ready"}})"));
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.status().message()).find("expected 'bool'") != std::string::npos);

  HealthCheckExprs bad;
  bad.current = "true";
  bad.failed = "status.(";
  auto c = StatusEvaluator::Create(bad);
  REQUIRE_FALSE(c.ok());
  CHECK(std::string(c.status().message()).rfind("failed: syntax error", 0) == 0);
  CHECK_FALSE(StatusEvaluator::Create(HealthCheckExprs{}).ok());
}
