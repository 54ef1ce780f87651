#include "libs/kstatus/status_reader.h"

#include <catch2/catch.hpp>

#include "libs/kstatus/compute.h"
#include "libs/object/yaml.h"

namespace ks = fluxcpp::kstatus;
using fluxcpp::object::Value;

namespace {

Value Yaml(const char* text) {
  auto v = fluxcpp::object::ParseYaml(text);
  REQUIRE(v.ok());
  return *v;
}

}  // namespace

TEST_CASE("ReadStatus uses Flux's Job reader") {
  Value job = Yaml(
      "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: apps}\nstatus: {startTime: "
      "x}\n");
  CHECK(ks::ReadStatus(job).status == ks::Status::kInProgress);
  CHECK(ks::Compute(job)->status == ks::Status::kCurrent);
}

TEST_CASE("ReadStatus turns errors into Unknown") {
  auto r = ks::ReadStatus(
      Yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nstatus: {phase: Weird}\n"));
  CHECK(r.status == ks::Status::kUnknown);
  CHECK(r.error == "unknown phase Weird");
  CHECK(r.message.empty());
}

TEST_CASE("NotFoundResult") {
  CHECK(ks::NotFoundResult().status == ks::Status::kNotFound);
  CHECK(ks::NotFoundResult().message == "Resource not found");
  CHECK(ks::StatusName(ks::Status::kNotFound) == "NotFound");
  CHECK(ks::ParseStatus("Terminating") == ks::Status::kTerminating);
  CHECK_FALSE(ks::ParseStatus("current").has_value());
}

TEST_CASE("EscalateFailedPods") {
  ks::Result owner;
  owner.status = ks::Status::kInProgress;
  owner.message = "Ready: 0/2";
  ks::Result failed;
  failed.status = ks::Status::kFailed;

  Value crashing = Yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n");
  Value deleting = Yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: b, deletionTimestamp: t}\n");
  Value unschedulable = Yaml(R"(
apiVersion: v1
kind: Pod
metadata: {name: c}
status: {conditions: [{type: PodScheduled, status: "False", reason: Unschedulable}]}
)");
  auto transient = ks::EscalateFailedPods(owner, {{deleting, failed}, {unschedulable, failed}});
  CHECK(transient.status == ks::Status::kInProgress);
  auto escalated = ks::EscalateFailedPods(owner, {{crashing, failed}, {deleting, failed}});
  CHECK(escalated.status == ks::Status::kFailed);
  CHECK(escalated.message == "1 pods have failed");

  ks::Result current;
  current.status = ks::Status::kCurrent;
  CHECK(ks::EscalateFailedPods(current, {{crashing, failed}}).status == ks::Status::kCurrent);
}

TEST_CASE("FormatSubject") {
  CHECK(ks::FormatSubject(
            Yaml("kind: Deployment\nmetadata: {name: podinfo, namespace: default}\n")) ==
        "Deployment/default/podinfo");
  CHECK(ks::FormatSubject(Yaml("kind: Namespace\nmetadata: {name: apps}\n")) == "Namespace/apps");
}
