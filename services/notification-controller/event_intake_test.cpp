#include "services/notification-controller/event_intake.h"

#include <catch2/catch.hpp>

#include <httplib.h>

#include "libs/rpc/event_json.h"
#include "libs/rpc/event_publisher.h"

using namespace fluxcpp;

namespace {
rpc::EventMessage Sample() {
  rpc::EventMessage e;
  e.involved_object = {"Kustomization", "flux-system", "apps", "", "kustomize.toolkit.fluxcd.io/v1", ""};
  e.severity = "info";
  e.reason = "ReconciliationSucceeded";
  e.message = "Applied revision: main@sha1:abc";
  e.metadata = {{"kustomize.toolkit.fluxcd.io/revision", "main@sha1:abc"}};
  return e;
}
}  // namespace

TEST_CASE("intake validates events") {
  notification::EventIntake intake(Logger{});
  CHECK(intake.Handle(Sample()).ok());
  auto bad = Sample();
  bad.severity = "loud";
  CHECK(intake.Handle(bad).code() == absl::StatusCode::kInvalidArgument);
  bad = Sample();
  bad.involved_object.name.clear();
  CHECK(intake.Handle(bad).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("intake accepts Flux's HTTP JSON and rejects malformed bodies") {
  notification::EventIntake intake(Logger{});
  REQUIRE(intake.Start("", "127.0.0.1:0").ok());
  httplib::Client client("127.0.0.1", intake.http_port());
  auto ok = client.Post("/", rpc::EventToJson(Sample()), "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 202);
  auto bad = client.Post("/", "{\"severity\":\"info\"}", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  intake.Stop();
}

TEST_CASE("intake accepts gRPC events") {
  notification::EventIntake intake(Logger{});
  REQUIRE(intake.Start("127.0.0.1:0", "").ok());
  auto publisher = rpc::EventPublisher::Create("grpc://127.0.0.1:" + std::to_string(intake.grpc_port()));
  REQUIRE(publisher.ok());
  (*publisher)->Publish(Sample());
  (*publisher)->Flush(5000);
  intake.Stop();
}
