#include "libs/runtime/leader_elector.h"

#include <atomic>
#include <catch2/catch.hpp>

#include "libs/runtime/testing/fake_client.h"
#include "libs/runtime/testing/wait.h"

namespace fluxcpp::runtime {
namespace {

using std::chrono::milliseconds;

LeaderElectionOptions Opts(const std::string& identity) {
  LeaderElectionOptions o;
  o.lease_name = "source-controller-leader-election";
  o.lease_namespace = "flux-system";
  o.identity = identity;
  o.lease_duration = milliseconds(2000);
  o.renew_deadline = milliseconds(1500);
  o.retry_period = milliseconds(100);
  return o;
}

TEST_CASE("LeaderElectionId follows Flux's naming", "[leader]") {
  REQUIRE(LeaderElectionId("source-controller", "") == "source-controller-leader-election");
  REQUIRE(LeaderElectionId("kustomize-controller", "sharding.fluxcd.io/key in (shard1)") ==
          "kustomize-controller-leader-election-7ee98f29");
  std::string id = DefaultLeaderIdentity();
  REQUIRE(id.find('_') != std::string::npos);
  REQUIRE(id.size() > 37);
  REQUIRE(DefaultLeaderIdentity() != id);
}

TEST_CASE("FormatMicroTime writes metav1.MicroTime", "[leader]") {
  REQUIRE(FormatMicroTime(std::chrono::system_clock::time_point{}) == "1970-01-01T00:00:00.000000Z");
  REQUIRE(FormatMicroTime(std::chrono::system_clock::time_point{std::chrono::microseconds(1704067200123456)}) ==
          "2024-01-01T00:00:00.123456Z");
}

TEST_CASE("Acquire, contend, release, take over", "[leader]") {
  testing::FakeClient client;
  LeaderElector a(client, Opts("a"));
  LeaderElector b(client, Opts("b"));
  REQUIRE(a.TryAcquireOrRenew().ok());
  auto lease = client.Get(kLeaseGVK, "flux-system", "source-controller-leader-election");
  REQUIRE(lease.ok());
  REQUIRE(object::GetString(*lease, {"spec", "holderIdentity"}) == "a");
  REQUIRE(object::GetInt(*lease, {"spec", "leaseDurationSeconds"}) == 2);
  REQUIRE(object::GetInt(*lease, {"spec", "leaseTransitions"}) == 0);
  std::string acquired = object::GetString(*lease, {"spec", "acquireTime"});
  REQUIRE(acquired.size() == 27);

  REQUIRE(absl::IsAlreadyExists(b.TryAcquireOrRenew()));
  REQUIRE(a.TryAcquireOrRenew().ok());  // renew keeps acquireTime
  lease = client.Get(kLeaseGVK, "flux-system", "source-controller-leader-election");
  REQUIRE(object::GetString(*lease, {"spec", "acquireTime"}) == acquired);
  REQUIRE(absl::IsAlreadyExists(b.TryAcquireOrRenew()));

  REQUIRE(a.Release().ok());
  lease = client.Get(kLeaseGVK, "flux-system", "source-controller-leader-election");
  REQUIRE(object::GetString(*lease, {"spec", "holderIdentity"}) == "");
  REQUIRE(b.TryAcquireOrRenew().ok());
  lease = client.Get(kLeaseGVK, "flux-system", "source-controller-leader-election");
  REQUIRE(object::GetString(*lease, {"spec", "holderIdentity"}) == "b");
  REQUIRE(object::GetInt(*lease, {"spec", "leaseTransitions"}) == 1);
}

TEST_CASE("A stale lease is taken over after its duration on the local clock", "[leader]") {
  testing::FakeClient client;
  LeaderElector a(client, Opts("a"));
  LeaderElector b(client, Opts("b"));
  REQUIRE(a.TryAcquireOrRenew().ok());
  REQUIRE(absl::IsAlreadyExists(b.TryAcquireOrRenew()));  // b observes the record now
  std::this_thread::sleep_for(milliseconds(1200));
  REQUIRE(absl::IsAlreadyExists(b.TryAcquireOrRenew()));
  std::this_thread::sleep_for(milliseconds(900));  // 2.1s without a change
  REQUIRE(b.TryAcquireOrRenew().ok());
  REQUIRE(absl::IsAlreadyExists(a.TryAcquireOrRenew()));
}

TEST_CASE("The elector leads, loses the lease when renewals fail, and releases on Stop", "[leader]") {
  testing::FakeClient client;
  std::atomic<int> started{0}, stopped{0};
  auto o = Opts("a");
  o.on_started_leading = [&] { ++started; };
  o.on_stopped_leading = [&] { ++stopped; };
  {
    LeaderElector a(client, o);
    REQUIRE(a.Start().ok());
    REQUIRE(testing::WaitFor([&] { return a.IsLeader(); }));
    REQUIRE(started == 1);
    client.FailNext("get", absl::UnavailableError("apiserver down"), 1000);
    auto t0 = std::chrono::steady_clock::now();
    REQUIRE(testing::WaitFor([&] { return stopped.load() == 1; }, milliseconds(4000)));
    auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE(took <= milliseconds(1500 + 100 + 400));
    REQUIRE(!a.IsLeader());
    REQUIRE(a.Lost());
  }
  testing::FakeClient client2;
  auto o2 = Opts("c");
  {
    LeaderElector c(client2, o2);
    REQUIRE(c.Start().ok());
    REQUIRE(testing::WaitFor([&] { return c.IsLeader(); }));
    c.Stop();
  }
  auto lease = client2.Get(kLeaseGVK, "flux-system", "source-controller-leader-election");
  REQUIRE(lease.ok());
  REQUIRE(object::GetString(*lease, {"spec", "holderIdentity"}) == "");
}

TEST_CASE("Start validates durations", "[leader]") {
  testing::FakeClient client;
  auto o = Opts("a");
  o.renew_deadline = o.lease_duration;
  LeaderElector a(client, o);
  REQUIRE(absl::IsInvalidArgument(a.Start()));
}

}  // namespace
}  // namespace fluxcpp::runtime
