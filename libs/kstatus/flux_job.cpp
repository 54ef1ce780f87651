#include "libs/kstatus/flux_job.h"

#include "absl/strings/str_cat.h"
#include "libs/kstatus/builtin_rules.h"
#include "libs/kstatus/field_util.h"

namespace fluxcpp::kstatus {

bool IsJob(const object::Value& obj) {
  return GroupOf(obj) == "batch" && object::GetString(obj, {"kind"}) == "Job";
}

absl::StatusOr<Result> ComputeFluxJob(const object::Value& job) {
  // unstructured.NestedBool: only a real boolean counts.
  if (const object::Value* suspend = object::Find(job, {"spec", "suspend"});
      suspend != nullptr && suspend->is_boolean() && suspend->get<bool>()) {
    return internal::NewCurrent("Job is suspended");
  }
  int64_t parallelism = GetIntField(job, ".spec.parallelism", 1);
  int64_t completions = GetIntField(job, ".spec.completions", parallelism);
  int64_t active = GetIntField(job, ".status.active", 0);
  int64_t succeeded = GetIntField(job, ".status.succeeded", 0);
  int64_t failed = GetIntField(job, ".status.failed", 0);
  std::string start_time = GetStringField(job, ".status.startTime", "");

  auto conditions = ReadConditions(job);
  if (!conditions.ok()) return conditions.status();
  for (const Condition& c : *conditions) {
    if (c.type == "Complete" && c.status == "True") {
      return internal::NewCurrent(
          absl::StrCat("Job Completed. succeeded: ", succeeded, "/", completions));
    }
    if (c.type == "Failed" && c.status == "True") {
      return internal::NewFailed("JobFailed",
                                 absl::StrCat("Job Failed. failed: ", failed, "/", completions));
    }
  }
  if (start_time.empty()) {
    return internal::NewInProgress("JobNotStarted",
                                   absl::StrCat("Job not started. active: 0/", parallelism));
  }
  return internal::NewInProgress(
      "JobInProgress", absl::StrCat("Job in progress. success:", succeeded, ", active: ", active,
                                    ", failed: ", failed));
}

}  // namespace fluxcpp::kstatus
