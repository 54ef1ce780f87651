#include "libs/runtime/leader_elector.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/core/digest.h"
#include "libs/kube/call_deadline.h"
#include "libs/runtime/random.h"

namespace fluxcpp::runtime {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string RandomUuid() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd() ^
                      static_cast<uint64_t>(SteadyClock::now().time_since_epoch().count()));
  uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

int64_t LeaseSeconds(Duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return std::max<int64_t>(1, (ms + 999) / 1000);
}

Duration JitterUp(Duration d, double factor) {
  return d + std::chrono::duration_cast<Duration>(d * absl::Uniform(ThreadRandom(), 0.0, factor));
}

}  // namespace

std::string LeaderElectionId(std::string_view controller_name, std::string_view label_selector) {
  std::string id = std::string(controller_name) + "-leader-election";
  if (label_selector.empty()) return id;
  return id + "-" + Sha256Hex(label_selector).substr(0, 8);
}

std::string DefaultLeaderIdentity() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof(host), "localhost");
  return absl::StrCat(host, "_", RandomUuid());
}

std::string FormatMicroTime(std::chrono::system_clock::time_point t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  long frac = static_cast<long>(us % 1000000);
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

LeaderElector::LeaderElector(kube::Client& client, LeaderElectionOptions options)
    : client_(client), options_(std::move(options)) {}

LeaderElector::~LeaderElector() { Stop(); }

absl::Status LeaderElector::Start() {
  if (options_.lease_name.empty() || options_.lease_namespace.empty() || options_.identity.empty()) {
    return absl::InvalidArgumentError("leader election needs a lease name, a namespace and an identity");
  }
  if (options_.retry_period <= Duration::zero() || options_.renew_deadline <= options_.retry_period ||
      options_.lease_duration <= options_.renew_deadline) {
    // client-go's checks: leaseDuration > renewDeadline > retryPeriod (×1.2 jitter).
    return absl::InvalidArgumentError(
        "leader election needs lease-duration > renew-deadline > retry-period > 0");
  }
  {
    absl::MutexLock l(&mu_);
    if (thread_.joinable() || stopping_) return absl::OkStatus();
    thread_ = std::thread([this] { Run(); });
  }
  return absl::OkStatus();
}

void LeaderElector::Stop() {
  std::thread t;
  {
    absl::MutexLock l(&mu_);
    stopping_ = true;
    t = std::move(thread_);
  }
  if (t.joinable()) {
    // From a callback on the elector's own thread: it is about to return.
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();
    } else {
      t.join();
    }
  }
  if (leading_.exchange(false) && options_.release_on_cancel) {
    kube::ScopedCallDeadline bound(absl::Now() + absl::Seconds(5));
    absl::Status s = Release();
    if (s.ok()) {
      options_.logger.Info("released the leader election lease",
                           {{"lease", absl::StrCat(options_.lease_namespace, "/", options_.lease_name)}});
    } else {
      options_.logger.Error("failed to release the leader election lease", {{"error", std::string(s.message())}});
    }
  }
}

bool LeaderElector::SleepFor(Duration d) {
  absl::MutexLock l(&mu_);
  auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::FromChrono(d));
  return !stopping_;
}

absl::Status LeaderElector::TryAcquireOrRenew() {
  const auto now_wall = std::chrono::system_clock::now();
  const auto now = SteadyClock::now();
  const std::string now_text = FormatMicroTime(now_wall);
  const int64_t lease_seconds = LeaseSeconds(options_.lease_duration);

  absl::StatusOr<object::Value> got = client_.Get(kLeaseGVK, options_.lease_namespace, options_.lease_name);
  if (absl::IsNotFound(got.status())) {
    object::Value lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", options_.lease_name}, {"namespace", options_.lease_namespace}}},
        {"spec",
         {{"holderIdentity", options_.identity},
          {"leaseDurationSeconds", lease_seconds},
          {"acquireTime", now_text},
          {"renewTime", now_text},
          {"leaseTransitions", 0}}}};
    absl::StatusOr<object::Value> created = client_.Create(lease);
    if (!created.ok()) return created.status();
    absl::MutexLock l(&mu_);
    observed_spec_ = object::ToJson(lease["spec"]);
    observed_at_ = now;
    observed_holder_ = options_.identity;
    return absl::OkStatus();
  }
  if (!got.ok()) return got.status();

  object::Value lease = *std::move(got);
  object::Value spec = lease.contains("spec") && lease["spec"].is_object() ? lease["spec"] : object::Value::object();
  const std::string holder = object::GetString(spec, {"holderIdentity"});
  const int64_t held_seconds = object::GetInt(spec, {"leaseDurationSeconds"}, lease_seconds);
  bool new_leader = false;
  bool still_valid = false;
  {
    absl::MutexLock l(&mu_);
    std::string spec_json = object::ToJson(spec);
    if (spec_json != observed_spec_) {
      observed_spec_ = std::move(spec_json);
      observed_at_ = now;
    }
    if (holder != observed_holder_) {
      observed_holder_ = holder;
      new_leader = !holder.empty() && holder != options_.identity;
    }
    still_valid = observed_at_ + std::chrono::seconds(held_seconds) > now;
  }
  if (new_leader) {
    options_.logger.Info("new leader elected", {{"lease", options_.lease_name}, {"holder", holder}});
    if (options_.on_new_leader) options_.on_new_leader(holder);
  }
  if (!holder.empty() && holder != options_.identity && still_valid) {
    return absl::AlreadyExistsError(absl::StrCat("lease ", options_.lease_namespace, "/", options_.lease_name,
                                                 " is held by ", holder));
  }

  object::Value next = spec;
  next["holderIdentity"] = options_.identity;
  next["leaseDurationSeconds"] = lease_seconds;
  next["renewTime"] = now_text;
  if (holder != options_.identity) {
    next["acquireTime"] = now_text;
    next["leaseTransitions"] = object::GetInt(spec, {"leaseTransitions"}, 0) + 1;
  } else {
    if (!next.contains("acquireTime")) next["acquireTime"] = now_text;
    if (!next.contains("leaseTransitions")) next["leaseTransitions"] = 0;
  }
  lease["spec"] = next;
  // Update carries metadata.resourceVersion: a concurrent writer makes it
  // fail with kAborted (409 Conflict).
  absl::StatusOr<object::Value> updated = client_.Update(lease);
  if (!updated.ok()) return updated.status();
  absl::MutexLock l(&mu_);
  observed_spec_ = object::ToJson(next);
  observed_at_ = now;
  observed_holder_ = options_.identity;
  return absl::OkStatus();
}

absl::Status LeaderElector::Release() {
  absl::StatusOr<object::Value> got = client_.Get(kLeaseGVK, options_.lease_namespace, options_.lease_name);
  if (!got.ok()) return got.status();
  object::Value lease = *std::move(got);
  if (object::GetString(lease, {"spec", "holderIdentity"}) != options_.identity) return absl::OkStatus();
  const std::string now_text = FormatMicroTime(std::chrono::system_clock::now());
  object::Value& spec = lease["spec"];
  // As client-go's release(): no holder, a 1s lease, transitions kept.
  spec["holderIdentity"] = "";
  spec["leaseDurationSeconds"] = 1;
  spec["acquireTime"] = now_text;
  spec["renewTime"] = now_text;
  absl::StatusOr<object::Value> updated = client_.Update(lease);
  return updated.status();
}

void LeaderElector::Run() {
  const std::string lease_key = absl::StrCat(options_.lease_namespace, "/", options_.lease_name);
  options_.logger.Info("attempting to acquire leader lease", {{"lease", lease_key}});
  // Acquire.
  while (true) {
    absl::Status s;
    {
      kube::ScopedCallDeadline bound(absl::Now() + absl::FromChrono(options_.retry_period));
      s = TryAcquireOrRenew();
    }
    if (s.ok()) break;
    if (!absl::IsAlreadyExists(s)) {
      options_.logger.Error("error retrieving or updating the leader lease",
                            {{"lease", lease_key}, {"error", std::string(s.message())}});
    }
    if (!SleepFor(JitterUp(options_.retry_period, 0.2))) return;
  }
  {
    absl::MutexLock l(&mu_);
    if (stopping_) {
      // Stop() raced with the acquisition: hand the lease back.
      leading_.store(true);
      return;
    }
  }
  leading_.store(true);
  options_.logger.Info("successfully acquired lease", {{"lease", lease_key}});
  if (options_.on_started_leading) options_.on_started_leading();

  // Renew.
  while (SleepFor(options_.retry_period)) {
    const auto deadline = SteadyClock::now() + options_.renew_deadline;
    absl::Status s;
    while (true) {
      auto left = deadline - SteadyClock::now();
      if (left <= Duration::zero()) break;
      {
        kube::ScopedCallDeadline bound(absl::Now() + absl::FromChrono(std::chrono::duration_cast<Duration>(left)));
        s = TryAcquireOrRenew();
      }
      // Another replica holds a valid lease: we already lost it.
      if (s.ok() || absl::IsAlreadyExists(s)) break;
      options_.logger.Error("failed to renew the leader lease",
                            {{"lease", lease_key}, {"error", std::string(s.message())}});
      auto pause = std::min<Duration>(options_.retry_period,
                                      std::chrono::duration_cast<Duration>(deadline - SteadyClock::now()));
      if (pause > Duration::zero() && !SleepFor(pause)) return;
      {
        absl::MutexLock l(&mu_);
        if (stopping_) return;
      }
    }
    if (s.ok()) continue;
    leading_.store(false);
    lost_.store(true);
    options_.logger.Error("leader election lost",
                          {{"lease", lease_key}, {"error", s.ok() ? "renew deadline passed" : std::string(s.message())}});
    if (options_.on_stopped_leading) options_.on_stopped_leading();
    return;
  }
}

}  // namespace fluxcpp::runtime
