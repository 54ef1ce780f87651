#include "libs/kstatus/flux_job.h"

#include <catch2/catch.hpp>

#include "libs/object/yaml.h"

namespace ks = fluxcpp::kstatus;
using fluxcpp::object::Value;

namespace {

ks::Result Job(const char* text) {
  auto v = fluxcpp::object::ParseYaml(text);
  REQUIRE(v.ok());
  REQUIRE(ks::IsJob(*v));
  auto r = ks::ComputeFluxJob(*v);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

// Cases of fluxcd/pkg runtime/statusreaders/job_test.go.
TEST_CASE("Flux Job reader") {
  auto no_complete =
      Job("apiVersion: batch/v1\nkind: Job\nmetadata: {name: job}\nspec: {}\nstatus: {}\n");
  CHECK(no_complete.status == ks::Status::kInProgress);
  CHECK(no_complete.message == "Job not started. active: 0/1");

  auto complete = Job(R"(
apiVersion: batch/v1
kind: Job
metadata: {name: job}
status: {succeeded: 1, conditions: [{type: Complete, status: "True"}]}
)");
  CHECK(complete.status == ks::Status::kCurrent);
  CHECK(complete.message == "Job Completed. succeeded: 1/1");

  auto suspended =
      Job("apiVersion: batch/v1\nkind: Job\nmetadata: {name: job}\nspec: {suspend: true}\n");
  CHECK(suspended.status == ks::Status::kCurrent);
  CHECK(suspended.message == "Job is suspended");

  auto failed = Job(R"(
apiVersion: batch/v1
kind: Job
metadata: {name: job}
status: {failed: 1, conditions: [{type: Failed, status: "True"}]}
)");
  CHECK(failed.status == ks::Status::kFailed);
  CHECK(failed.message == "Job Failed. failed: 1/1");
  REQUIRE(failed.conditions.size() == 1);
  CHECK(failed.conditions[0].type == "Stalled");
  CHECK(failed.conditions[0].reason == "JobFailed");

  auto parallel =
      Job("apiVersion: batch/v1\nkind: Job\nmetadata: {name: job}\nspec: {parallelism: 3}\n");
  CHECK(parallel.message == "Job not started. active: 0/3");
  CHECK(parallel.conditions.at(0).reason == "JobNotStarted");

  auto running = Job(R"(
apiVersion: batch/v1
kind: Job
metadata: {name: job}
status: {startTime: "2025-01-01T00:00:00Z", active: 2, succeeded: 1, failed: 1}
)");
  CHECK(running.status == ks::Status::kInProgress);
  CHECK(running.message == "Job in progress. success:1, active: 2, failed: 1");
  CHECK(running.conditions.at(0).reason == "JobInProgress");
}

TEST_CASE("Flux Job reader rejects malformed conditions") {
  auto v = fluxcpp::object::ParseYaml(
      "apiVersion: batch/v1\nkind: Job\nmetadata: {name: job}\nstatus: {conditions: invalid}\n");
  REQUIRE(v.ok());
  CHECK_FALSE(ks::ComputeFluxJob(*v).ok());
}
