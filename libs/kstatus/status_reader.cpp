#include "libs/kstatus/status_reader.h"

#include "absl/strings/str_cat.h"
#include "libs/kstatus/compute.h"
#include "libs/kstatus/field_util.h"
#include "libs/kstatus/flux_job.h"

namespace fluxcpp::kstatus {
namespace {

bool IsPodUnschedulable(const object::Value& pod) {
  if (!GroupOf(pod).empty() || object::GetString(pod, {"kind"}) != "Pod") return false;
  auto conditions = ReadConditions(pod);
  if (!conditions.ok()) return false;
  for (const Condition& c : *conditions) {
    if (c.type == "PodScheduled" && c.status == "False" && c.reason == "Unschedulable") return true;
  }
  return false;
}

bool IsTransientPodFailure(const object::Value& pod) {
  if (pod.is_null()) return true;
  const object::Value* deletion = object::Find(pod, {"metadata", "deletionTimestamp"});
  if (deletion != nullptr && deletion->is_string() && !deletion->get<std::string>().empty())
    return true;
  return IsPodUnschedulable(pod);
}

}  // namespace

Result ReadStatus(const object::Value& obj, absl::Time now) {
  absl::StatusOr<Result> res = IsJob(obj) ? ComputeFluxJob(obj) : Compute(obj, now);
  if (res.ok()) return *std::move(res);
  Result unknown;
  unknown.status = Status::kUnknown;
  unknown.error = std::string(res.status().message());
  return unknown;
}

Result ReadStatus(const object::Value& obj) { return ReadStatus(obj, absl::Now()); }

Result NotFoundResult() {
  Result r;
  r.status = Status::kNotFound;
  r.message = "Resource not found";
  return r;
}

Result EscalateFailedPods(Result owner, const std::vector<std::pair<object::Value, Result>>& pods) {
  if (owner.status != Status::kInProgress) return owner;
  int failed = 0;
  for (const auto& [pod, result] : pods) {
    if (result.status == Status::kFailed && !IsTransientPodFailure(pod)) ++failed;
  }
  if (failed == 0) return owner;
  Result r;
  r.status = Status::kFailed;
  r.message = absl::StrCat(failed, " pods have failed");
  return r;
}

std::string FormatSubject(const object::Value& obj) {
  std::string ns = object::GetString(obj, {"metadata", "namespace"});
  std::string out = absl::StrCat(object::GetString(obj, {"kind"}), "/");
  if (!ns.empty()) absl::StrAppend(&out, ns, "/");
  absl::StrAppend(&out, object::GetString(obj, {"metadata", "name"}));
  return out;
}

}  // namespace fluxcpp::kstatus
