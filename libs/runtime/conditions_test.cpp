#include "libs/runtime/conditions.h"

#include <catch2/catch.hpp>

namespace fluxcpp::runtime {
namespace {

object::Value NewObject(int64_t generation) {
  object::Value obj = {{"apiVersion", "source.toolkit.fluxcd.io/v1"},
                       {"kind", "GitRepository"},
                       {"metadata", {{"name", "podinfo"}, {"namespace", "default"}, {"generation", generation}}}};
  return obj;
}

void SetTransitionTime(object::Value& obj, std::string_view type, const std::string& t) {
  for (auto& c : obj["status"]["conditions"]) {
    if (c["type"] == type) c["lastTransitionTime"] = t;
  }
}

constexpr const char* kOld = "2001-02-03T04:05:06Z";

TEST_CASE("Set adds a condition with observedGeneration and a transition time", "[conditions]") {
  auto obj = NewObject(3);
  conditions::MarkTrue(obj, kReadyCondition, kSucceededReason, "stored artifact");
  auto c = conditions::Get(obj, kReadyCondition);
  REQUIRE(c.has_value());
  REQUIRE(c->status == "True");
  REQUIRE(c->reason == "Succeeded");
  REQUIRE(c->message == "stored artifact");
  REQUIRE(c->observed_generation == 3);
  REQUIRE(c->last_transition_time.size() == 20);  // 2024-05-01T10:00:00Z
  REQUIRE(c->last_transition_time.back() == 'Z');
  REQUIRE(conditions::IsTrue(obj, kReadyCondition));
  REQUIRE_FALSE(conditions::IsFalse(obj, kReadyCondition));
  REQUIRE(conditions::IsObservedGeneration(obj, kReadyCondition));
  // Field order of the stored condition is metav1.Condition's.
  auto& stored = obj["status"]["conditions"][0];
  std::vector<std::string> keys;
  for (auto it = stored.begin(); it != stored.end(); ++it) keys.push_back(it.key());
  REQUIRE(keys == std::vector<std::string>{"type", "status", "observedGeneration", "lastTransitionTime", "reason",
                                           "message"});
}

TEST_CASE("lastTransitionTime only moves when the state changes", "[conditions]") {
  auto obj = NewObject(1);
  conditions::MarkTrue(obj, kReadyCondition, kSucceededReason, "ok");
  SetTransitionTime(obj, kReadyCondition, kOld);

  // Same state, new generation: time kept, generation updated.
  obj["metadata"]["generation"] = 2;
  conditions::MarkTrue(obj, kReadyCondition, kSucceededReason, "ok");
  REQUIRE(conditions::Get(obj, kReadyCondition)->last_transition_time == kOld);
  REQUIRE(conditions::Get(obj, kReadyCondition)->observed_generation == 2);

  // Status change: time moves.
  conditions::MarkFalse(obj, kReadyCondition, kFailedReason, "boom");
  REQUIRE(conditions::Get(obj, kReadyCondition)->last_transition_time != kOld);

  // Message change with the same status also moves it (Flux's hasSameState).
  SetTransitionTime(obj, kReadyCondition, kOld);
  conditions::MarkFalse(obj, kReadyCondition, kFailedReason, "boom again");
  REQUIRE(conditions::Get(obj, kReadyCondition)->last_transition_time != kOld);
}

TEST_CASE("Conditions are ordered Stalled, Reconciling, Ready, then by type", "[conditions]") {
  auto obj = NewObject(1);
  conditions::MarkTrue(obj, kFetchFailedCondition, "GitOperationFailed", "x");
  conditions::MarkTrue(obj, kArtifactInStorageCondition, kSucceededReason, "x");
  conditions::MarkUnknown(obj, kReadyCondition, kProgressingReason, "x");
  conditions::MarkReconciling(obj, kProgressingReason, "reconciling");
  std::vector<std::string> types;
  for (const auto& c : conditions::List(obj)) types.push_back(c.type);
  REQUIRE(types == std::vector<std::string>{"Reconciling", "Ready", "ArtifactInStorage", "FetchFailed"});

  conditions::MarkStalled(obj, "URLInvalid", "bad url");
  types.clear();
  for (const auto& c : conditions::List(obj)) types.push_back(c.type);
  REQUIRE(types == std::vector<std::string>{"Stalled", "Ready", "ArtifactInStorage", "FetchFailed"});

  REQUIRE(conditions::Remove(obj, kFetchFailedCondition));
  REQUIRE_FALSE(conditions::Remove(obj, kFetchFailedCondition));
  REQUIRE_FALSE(conditions::Has(obj, kFetchFailedCondition));
}

TEST_CASE("Messages are trimmed to the CRD limit", "[conditions]") {
  auto obj = NewObject(1);
  conditions::MarkFalse(obj, kReadyCondition, kFailedReason, std::string(40000, 'x'));
  auto msg = conditions::GetMessage(obj, kReadyCondition);
  REQUIRE(msg.size() == kMaxConditionMessageLength);
  REQUIRE(msg.substr(msg.size() - 3) == "...");
}

TEST_CASE("SummarizeReady follows the source priority order", "[conditions]") {
  SECTION("no failures: Ready copies ArtifactInStorage") {
    auto obj = NewObject(2);
    conditions::MarkTrue(obj, kArtifactInStorageCondition, kSucceededReason, "stored artifact for revision 'main@sha1:abc'");
    conditions::SummarizeReady(obj, SourceReadySummaryOrder(), kArtifactInStorageCondition);
    auto ready = conditions::Get(obj, kReadyCondition);
    REQUIRE(ready->status == "True");
    REQUIRE(ready->reason == "Succeeded");
    REQUIRE(ready->message == "stored artifact for revision 'main@sha1:abc'");
    REQUIRE(ready->observed_generation == 2);
  }
  SECTION("first True negative condition wins") {
    auto obj = NewObject(1);
    conditions::MarkTrue(obj, kArtifactInStorageCondition, kSucceededReason, "stored");
    conditions::MarkTrue(obj, kArtifactOutdatedCondition, "NewRevision", "new upstream revision");
    conditions::MarkTrue(obj, kFetchFailedCondition, "GitOperationFailed", "failed to checkout");
    conditions::MarkReconciling(obj, kProgressingWithRetryReason, "retrying");
    conditions::SummarizeReady(obj, SourceReadySummaryOrder(), kArtifactInStorageCondition);
    auto ready = conditions::Get(obj, kReadyCondition);
    REQUIRE(ready->status == "False");
    REQUIRE(ready->reason == "GitOperationFailed");
    REQUIRE(ready->message == "failed to checkout");

    conditions::Remove(obj, kFetchFailedCondition);
    conditions::SummarizeReady(obj, SourceReadySummaryOrder(), kArtifactInStorageCondition);
    REQUIRE(conditions::GetReason(obj, kReadyCondition) == "NewRevision");
  }
  SECTION("False negative conditions do not count") {
    auto obj = NewObject(1);
    conditions::MarkFalse(obj, kFetchFailedCondition, "x", "y");
    conditions::MarkTrue(obj, kArtifactInStorageCondition, kSucceededReason, "stored");
    conditions::SummarizeReady(obj, {kStorageOperationFailedCondition, kFetchFailedCondition},
                               kArtifactInStorageCondition);
    REQUIRE(conditions::IsTrue(obj, kReadyCondition));
  }
  SECTION("bipolar SourceVerified=False forces Ready=False") {
    auto obj = NewObject(1);
    conditions::MarkTrue(obj, kArtifactInStorageCondition, kSucceededReason, "stored");
    conditions::MarkFalse(obj, kSourceVerifiedCondition, "VerificationError", "signature mismatch");
    std::vector<conditions::SummaryCondition> order = {
        {kFetchFailedCondition, conditions::Polarity::kNegative},
        {kArtifactInStorageCondition, conditions::Polarity::kPositive},
        {kSourceVerifiedCondition, conditions::Polarity::kBipolar},
        {kStalledCondition, conditions::Polarity::kNegative},
    };
    conditions::SummarizeReady(obj, order, kArtifactInStorageCondition);
    REQUIRE(conditions::IsFalse(obj, kReadyCondition));
    REQUIRE(conditions::GetReason(obj, kReadyCondition) == "VerificationError");
  }
  SECTION("nothing to summarise leaves Ready unchanged") {
    auto obj = NewObject(1);
    conditions::SummarizeReady(obj, SourceReadySummaryOrder(), kArtifactInStorageCondition);
    REQUIRE_FALSE(conditions::Has(obj, kReadyCondition));
  }
}

}  // namespace
}  // namespace fluxcpp::runtime
