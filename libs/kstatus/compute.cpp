#include "libs/kstatus/compute.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/kstatus/builtin_rules.h"
#include "libs/kstatus/field_util.h"

namespace fluxcpp::kstatus {
namespace {

using internal::NewCurrent;
using internal::NewInProgress;

// metadata.generation vs status.observedGeneration; skipped when either is unset.
std::optional<absl::StatusOr<Result>> CheckGeneration(const object::Value& obj) {
  auto generation = NestedInt64(obj, {"metadata", "generation"});
  if (!generation.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("looking up metadata.generation from resource: ",
                                                   std::string(generation.status().message())));
  }
  if (!generation->found) return std::nullopt;
  auto observed = NestedInt64(obj, {"status", "observedGeneration"});
  if (!observed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("looking up status.observedGeneration from resource: ",
                     std::string(observed.status().message())));
  }
  if (observed->found && observed->value != generation->value) {
    std::string message =
        absl::StrCat(object::GetString(obj, {"kind"}), " generation is ", generation->value,
                     ", but latest observed generation is ", observed->value);
    Result r;
    r.status = Status::kInProgress;
    r.message = message;
    r.conditions.push_back(
        {std::string(kConditionReconciling), "True", "LatestGenerationNotObserved", message});
    return r;
  }
  return std::nullopt;
}

// Deletion, generation and the standard Reconciling / Stalled conditions.
std::optional<absl::StatusOr<Result>> CheckGenericProperties(const object::Value& obj) {
  auto deletion = NestedString(obj, {"metadata", "deletionTimestamp"});
  if (!deletion.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("looking up metadata.deletionTimestamp from resource: ",
                     std::string(deletion.status().message())));
  }
  if (deletion->found && !deletion->value.empty()) {
    Result r;
    r.status = Status::kTerminating;
    r.message = "Resource scheduled for deletion";
    return r;
  }
  if (auto res = CheckGeneration(obj)) return res;

  auto conditions = ReadConditions(obj);
  if (!conditions.ok()) return conditions.status();
  for (const Condition& c : *conditions) {
    if (c.type == kConditionReconciling && c.status == "True")
      return NewInProgress(c.reason, c.message);
    if (c.type == kConditionStalled && c.status == "True") {
      Result r;
      r.status = Status::kFailed;
      r.message = c.message;
      r.conditions.push_back({std::string(kConditionStalled), "True", c.reason, c.message});
      return r;
    }
  }
  return std::nullopt;
}

// A Ready condition, widely used though not a Kubernetes convention.
std::optional<absl::StatusOr<Result>> CheckReadyCondition(const object::Value& obj) {
  auto conditions = ReadConditions(obj);
  if (!conditions.ok()) return conditions.status();
  for (const Condition& c : *conditions) {
    if (c.type != "Ready") continue;
    if (c.status == "True") return NewCurrent("Resource is Ready");
    if (c.status == "False" || c.status == "Unknown") return NewInProgress(c.reason, c.message);
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<Result> Compute(const object::Value& obj, absl::Time now) {
  if (!obj.is_object()) return absl::InvalidArgumentError("object is not a map");
  if (auto res = CheckGenericProperties(obj)) return *std::move(res);
  if (auto res = internal::ApplyBuiltinRule(obj, now)) return *std::move(res);
  if (auto res = CheckReadyCondition(obj)) return *std::move(res);
  return NewCurrent("Resource is current");
}

absl::StatusOr<Result> Compute(const object::Value& obj) { return Compute(obj, absl::Now()); }

absl::Status Augment(object::Value& obj, absl::Time now) {
  auto res = Compute(obj, now);
  if (!res.ok()) return res.status();

  object::Value conditions = object::Value::array();
  if (const object::Value* existing = object::Find(obj, {"status", "conditions"});
      existing != nullptr && !existing->is_null()) {
    if (!existing->is_array()) {
      return absl::InvalidArgumentError(
          ".status.conditions accessor error: expected []interface{}");
    }
    conditions = *existing;
  }
  std::string stamp = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone());

  for (const Condition& rc : res->conditions) {
    bool present = false;
    for (object::Value& c : conditions) {
      if (!c.is_object())
        return absl::InvalidArgumentError("condition does not have the expected structure");
      auto type = c.find("type");
      if (type == c.end() || !type->is_string()) {
        return absl::InvalidArgumentError("condition type does not have the expected type");
      }
      if (type->get<std::string>() != rc.type) continue;
      auto status = c.find("status");
      if (status == c.end() || !status->is_string()) {
        return absl::InvalidArgumentError("condition status does not have the expected type");
      }
      if (status->get<std::string>() != rc.status) c["lastTransitionTime"] = stamp;
      c["status"] = rc.status;
      c["lastUpdateTime"] = stamp;
      c["reason"] = rc.reason;
      c["message"] = rc.message;
      present = true;
    }
    if (!present) {
      object::Value c = object::Value::object();
      c["lastTransitionTime"] = stamp;
      c["lastUpdateTime"] = stamp;
      c["message"] = rc.message;
      c["reason"] = rc.reason;
      c["status"] = rc.status;
      c["type"] = rc.type;
      conditions.push_back(std::move(c));
    }
  }
  object::Ensure(obj, {"status", "conditions"}) = std::move(conditions);
  return absl::OkStatus();
}

}  // namespace fluxcpp::kstatus
