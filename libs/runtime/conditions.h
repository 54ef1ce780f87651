#pragma once
// Helpers on an object's `status.conditions` (metav1.Condition list), with
// fluxcd/pkg/runtime/conditions semantics. Reconcilers change conditions
// only through these functions.
//
//  * Set() always writes observedGeneration = metadata.generation and trims
//    the message to 32768 bytes ("..." suffix). lastTransitionTime (RFC 3339,
//    UTC, second precision) moves only when status, reason or message
//    changes (Flux's hasSameState), never on a generation-only update.
//  * The list is kept sorted like Flux does for kubectl: Stalled,
//    Reconciling, Ready first, then the rest by highest observedGeneration,
//    then by type.
//  * SummarizeReady() derives Ready (source-controller's §2.7 rule); it is
//    the one place that does so.
//
//   conditions::MarkReconciling(obj, kProgressingReason, "reconciliation in progress");
//   conditions::MarkTrue(obj, kArtifactInStorageCondition, kSucceededReason, "stored artifact ...");
//   conditions::SummarizeReady(obj, kSourceSummary, kArtifactInStorageCondition);

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libs/object/value.h"

namespace fluxcpp::runtime {

// ---- Condition types (fluxcd/pkg/apis/meta + source/kustomize APIs).
inline constexpr std::string_view kReadyCondition = "Ready";
inline constexpr std::string_view kReconcilingCondition = "Reconciling";
inline constexpr std::string_view kStalledCondition = "Stalled";
inline constexpr std::string_view kHealthyCondition = "Healthy";
inline constexpr std::string_view kArtifactInStorageCondition = "ArtifactInStorage";
inline constexpr std::string_view kArtifactOutdatedCondition = "ArtifactOutdated";
inline constexpr std::string_view kFetchFailedCondition = "FetchFailed";
inline constexpr std::string_view kBuildFailedCondition = "BuildFailed";
inline constexpr std::string_view kStorageOperationFailedCondition = "StorageOperationFailed";
inline constexpr std::string_view kIncludeUnavailableCondition = "IncludeUnavailable";
inline constexpr std::string_view kSourceVerifiedCondition = "SourceVerified";

// ---- Shared reasons (fluxcd/pkg/apis/meta, acl).
inline constexpr std::string_view kSucceededReason = "Succeeded";
inline constexpr std::string_view kFailedReason = "Failed";
inline constexpr std::string_view kProgressingReason = "Progressing";
inline constexpr std::string_view kProgressingWithRetryReason = "ProgressingWithRetry";
inline constexpr std::string_view kSuspendedReason = "Suspended";
inline constexpr std::string_view kDependencyNotReadyReason = "DependencyNotReady";
inline constexpr std::string_view kInvalidPathReason = "InvalidPath";
inline constexpr std::string_view kInvalidURLReason = "InvalidURL";
inline constexpr std::string_view kInsecureConnectionsDisallowedReason = "InsecureConnectionsDisallowed";
inline constexpr std::string_view kUnsupportedConnectionTypeReason = "UnsupportedConnectionType";
inline constexpr std::string_view kPruneFailedReason = "PruneFailed";
inline constexpr std::string_view kArtifactFailedReason = "ArtifactFailed";
inline constexpr std::string_view kBuildFailedReason = "BuildFailed";
inline constexpr std::string_view kHealthCheckFailedReason = "HealthCheckFailed";
inline constexpr std::string_view kHealthCheckCanceledReason = "HealthCheckCanceled";
inline constexpr std::string_view kReconciliationSucceededReason = "ReconciliationSucceeded";
inline constexpr std::string_view kReconciliationFailedReason = "ReconciliationFailed";
inline constexpr std::string_view kInvalidCELExpressionReason = "InvalidCELExpression";
inline constexpr std::string_view kFeatureGateDisabledReason = "FeatureGateDisabled";
inline constexpr std::string_view kAccessDeniedReason = "AccessDenied";

// ---- Condition status values.
inline constexpr std::string_view kConditionTrue = "True";
inline constexpr std::string_view kConditionFalse = "False";
inline constexpr std::string_view kConditionUnknown = "Unknown";

// Largest message stored in a condition (the CRD's maxLength).
inline constexpr size_t kMaxConditionMessageLength = 32768;

namespace conditions {

struct Condition {
  std::string type;
  std::string status;  // True | False | Unknown
  int64_t observed_generation = 0;
  std::string last_transition_time;
  std::string reason;
  std::string message;

  object::Value ToValue() const;
  static Condition FromValue(const object::Value& v);
};

// The condition of `type`, or nullopt.
std::optional<Condition> Get(const object::Value& obj, std::string_view type);
std::vector<Condition> List(const object::Value& obj);
bool Has(const object::Value& obj, std::string_view type);
bool IsTrue(const object::Value& obj, std::string_view type);
bool IsFalse(const object::Value& obj, std::string_view type);
bool IsUnknown(const object::Value& obj, std::string_view type);
// Reason / message of `type`, "" when absent.
std::string GetReason(const object::Value& obj, std::string_view type);
std::string GetMessage(const object::Value& obj, std::string_view type);
// True when the condition exists and its observedGeneration equals metadata.generation.
bool IsObservedGeneration(const object::Value& obj, std::string_view type);

// Sets (adds or replaces) a condition; see the file comment for the rules.
void Set(object::Value& obj, std::string_view type, std::string_view status, std::string_view reason,
         std::string_view message);
void MarkTrue(object::Value& obj, std::string_view type, std::string_view reason, std::string_view message);
void MarkFalse(object::Value& obj, std::string_view type, std::string_view reason, std::string_view message);
void MarkUnknown(object::Value& obj, std::string_view type, std::string_view reason, std::string_view message);
// Reconciling=True and Stalled removed (start of a run).
void MarkReconciling(object::Value& obj, std::string_view reason, std::string_view message);
// Stalled=True and Reconciling removed (terminal failure).
void MarkStalled(object::Value& obj, std::string_view reason, std::string_view message);

// Removes the condition of `type`; true when one was removed.
bool Remove(object::Value& obj, std::string_view type);

// How a condition counts towards Ready.
enum class Polarity {
  kPositive,  // True is good (ArtifactInStorage)
  kNegative,  // True is bad (FetchFailed, Stalled, Reconciling, ...)
  kBipolar,   // True good, False bad (SourceVerified)
};

struct SummaryCondition {
  std::string_view type;
  Polarity polarity;
};

// Derives Ready from `order` (highest priority first), per spec §2.7:
//  * the first negative condition that is True, or bipolar condition that
//    is False, makes Ready=False with its reason and message;
//  * otherwise Ready copies status, reason and message of `positive_type`;
//  * when `positive_type` is absent too, Ready is left unchanged.
void SummarizeReady(object::Value& obj, const std::vector<SummaryCondition>& order,
                    std::string_view positive_type);
// Convenience: all of `negative_types` are kNegative, in priority order.
void SummarizeReady(object::Value& obj, const std::vector<std::string_view>& negative_types,
                    std::string_view positive_type);

// Sorts status.conditions in Flux's order (done by Set(); exposed for tests).
void Sort(object::Value& obj);

}  // namespace conditions

// Summary order for source kinds (§2.7), without the kind-specific entries;
// callers building a HelmChart/GitRepository list insert BuildFailed /
// IncludeUnavailable / SourceVerified at their documented places.
inline const std::vector<conditions::SummaryCondition>& SourceReadySummaryOrder() {
  using conditions::Polarity;
  static const std::vector<conditions::SummaryCondition> kOrder = {
      {kStorageOperationFailedCondition, Polarity::kNegative},
      {kFetchFailedCondition, Polarity::kNegative},
      {kArtifactOutdatedCondition, Polarity::kNegative},
      {kArtifactInStorageCondition, Polarity::kPositive},
      {kStalledCondition, Polarity::kNegative},
      {kReconcilingCondition, Polarity::kNegative},
  };
  return kOrder;
}

}  // namespace fluxcpp::runtime
