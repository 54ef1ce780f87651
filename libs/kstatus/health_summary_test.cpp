#include "libs/kstatus/health_summary.h"

#include <catch2/catch.hpp>

namespace ks = fluxcpp::kstatus;

namespace {

ks::Result R(ks::Status s, std::string error = "") {
  ks::Result r;
  r.status = s;
  r.error = std::move(error);
  return r;
}

}  // namespace

TEST_CASE("all current") {
  auto s = ks::Summarize({{"Deployment/default/podinfo", R(ks::Status::kCurrent)}});
  CHECK(s.all_current);
  CHECK_FALSE(s.any_failed);
  CHECK(s.pending.empty());
  CHECK(ks::ShouldStopWaiting(s, false));
  CHECK(ks::WaitOutcome(s, false).ok());
  CHECK(ks::Summarize({}).all_current);
}

TEST_CASE("timeout message") {
  auto s = ks::Summarize({{"Deployment/default/podinfo", R(ks::Status::kInProgress)},
                          {"Service/default/podinfo", R(ks::Status::kCurrent)},
                          {"Widget/default/w", R(ks::Status::kUnknown, "boom")}});
  CHECK_FALSE(s.all_current);
  CHECK_FALSE(s.terminal);
  CHECK(s.aggregate == ks::Status::kUnknown);
  CHECK_FALSE(ks::ShouldStopWaiting(s, true));
  CHECK(ks::WaitOutcome(s, false).ok());
  absl::Status out = ks::WaitOutcome(s, true);
  CHECK(absl::IsDeadlineExceeded(out));
  CHECK(out.message() ==
        "timeout waiting for: [Deployment/default/podinfo status: 'InProgress', Widget/default/w "
        "status: "
        "'Unknown': boom]");
}

TEST_CASE("fail fast and terminal") {
  auto s = ks::Summarize({{"Job/default/migrate", R(ks::Status::kFailed)},
                          {"Deployment/default/podinfo", R(ks::Status::kInProgress)}});
  CHECK(s.any_failed);
  CHECK(s.aggregate == ks::Status::kFailed);
  CHECK(ks::ShouldStopWaiting(s, true));
  CHECK_FALSE(ks::ShouldStopWaiting(s, false));
  CHECK(ks::WaitOutcome(s, false).message() ==
        "failed early due to stalled resources: [Job/default/migrate status: 'Failed']");

  auto terminal = ks::Summarize({{"Job/default/migrate", R(ks::Status::kFailed)},
                                 {"Deployment/default/podinfo", R(ks::Status::kCurrent)}});
  CHECK(terminal.terminal);
  CHECK(ks::ShouldStopWaiting(terminal, false));
}

TEST_CASE("vanished TTL jobs count as complete") {
  auto s = ks::Summarize({{"Job/default/once", R(ks::Status::kNotFound)},
                          {"Deployment/default/podinfo", R(ks::Status::kCurrent)}},
                         {"Job/default/once"});
  CHECK(s.pending.empty());
  CHECK(s.terminal);
  CHECK(ks::ShouldStopWaiting(s, false));
  CHECK(ks::WaitOutcome(s, true).ok());

  auto without_ttl = ks::Summarize({{"Job/default/once", R(ks::Status::kNotFound)}});
  CHECK(without_ttl.pending == std::vector<std::string>{"Job/default/once status: 'NotFound'"});
}
