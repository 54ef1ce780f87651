#include "services/kustomize-controller/health_checker.h"

#include "libs/kstatus/status_reader.h"

namespace fluxcpp::kustomize_controller {

std::vector<ssa::ObjectRef> HealthCheckTargets(const object::Value& obj, const std::vector<ssa::ObjectRef>& applied) {
  std::vector<ssa::ObjectRef> targets;
  const std::string self_ns = object::GetString(obj, {"metadata", "namespace"});
  const std::string self_name = object::GetString(obj, {"metadata", "name"});
  auto is_self = [&](const ssa::ObjectRef& r) {
    return r.group == "kustomize.toolkit.fluxcd.io" && r.kind == "Kustomization" && r.ns == self_ns &&
           r.name == self_name;
  };
  if (object::GetBool(obj, {"spec", "wait"})) {
    for (const auto& r : applied) {
      if (!is_self(r)) targets.push_back(r);
    }
    return targets;
  }
  const object::Value* checks = object::Find(obj, {"spec", "healthChecks"});
  if (checks == nullptr || !checks->is_array()) return targets;
  for (const auto& check : *checks) {
    kube::GroupVersionKind gvk =
        kube::GroupVersionKind::FromApiVersion(object::GetString(check, {"apiVersion"}, "apps/v1"),
                                               object::GetString(check, {"kind"}));
    if (gvk.version.empty()) gvk = kube::GroupVersionKind{"apps", "v1", gvk.kind};
    ssa::ObjectRef r{object::GetString(check, {"namespace"}), object::GetString(check, {"name"}), gvk.group, gvk.kind,
                     gvk.version};
    if (!is_self(r)) targets.push_back(r);
  }
  return targets;
}

namespace {

// The status the healthCheckExprs rules give `live`.
kstatus::Result ReadStatusWithExpressions(const cel::StatusEvaluator& rules, const object::Value& live) {
  kstatus::Result result;
  auto status = rules.Evaluate(live);
  if (!status.ok()) {
    result.status = kstatus::Status::kUnknown;
    result.error = std::string(status.status().message());
    return result;
  }
  switch (*status) {
    case cel::HealthStatus::kCurrent:
      result.status = kstatus::Status::kCurrent;
      break;
    case cel::HealthStatus::kFailed:
      result.status = kstatus::Status::kFailed;
      break;
    case cel::HealthStatus::kInProgress:
      result.status = kstatus::Status::kInProgress;
      break;
  }
  result.message = std::string(cel::HealthStatusName(*status));
  return result;
}

}  // namespace

kstatus::HealthSummary ReadHealth(kube::Client& client, const std::vector<ssa::ObjectRef>& targets,
                                  const std::set<std::string>& jobs_with_ttl, const HealthExpressions* exprs) {
  std::vector<std::pair<std::string, kstatus::Result>> statuses;
  statuses.reserve(targets.size());
  for (const auto& ref : targets) {
    auto live = client.Get(kube::GroupVersionKind{ref.group, ref.version, ref.kind}, ref.ns, ref.name);
    kstatus::Result result;
    const cel::StatusEvaluator* rules = exprs != nullptr ? exprs->Find(ref.group, ref.kind) : nullptr;
    if (live.ok() && rules != nullptr) {
      result = ReadStatusWithExpressions(*rules, *live);
    } else if (live.ok()) {
      result = kstatus::ReadStatus(*live);
    } else if (live.status().code() == absl::StatusCode::kNotFound) {
      result = kstatus::NotFoundResult();
    } else {
      result.status = kstatus::Status::kUnknown;
      result.error = std::string(live.status().message());
    }
    statuses.emplace_back(ref.Subject(), std::move(result));
  }
  return kstatus::Summarize(statuses, jobs_with_ttl);
}

std::optional<HealthWait> HealthWaits::Get(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = waits_.find(key);
  if (it == waits_.end()) return std::nullopt;
  return it->second;
}

void HealthWaits::Put(const std::string& key, HealthWait wait) {
  absl::MutexLock lock(&mu_);
  waits_[key] = std::move(wait);
}

void HealthWaits::Erase(const std::string& key) {
  absl::MutexLock lock(&mu_);
  waits_.erase(key);
}

size_t HealthWaits::size() const {
  absl::MutexLock lock(&mu_);
  return waits_.size();
}

}  // namespace fluxcpp::kustomize_controller
