#include "services/kustomize-controller/cel_expressions.h"

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/kube/client.h"

namespace fluxcpp::kustomize_controller {
namespace {

absl::Status Named(const std::string& field, const absl::Status& error) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", std::string(error.message())));
}

}  // namespace

absl::StatusOr<HealthExpressions> HealthExpressions::Compile(const object::Value& kustomization) {
  HealthExpressions out;
  const object::Value* list = object::Find(kustomization, {"spec", "healthCheckExprs"});
  if (list == nullptr || !list->is_array()) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    const object::Value& item = (*list)[i];
    const std::string field = absl::StrCat("spec.healthCheckExprs[", i, "]");
    std::string api_version = object::GetString(item, {"apiVersion"});
    if (api_version.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ".apiVersion: required"));
    cel::HealthCheckExprs exprs;
    exprs.current = object::GetString(item, {"current"});
    exprs.in_progress = object::GetString(item, {"inProgress"});
    exprs.failed = object::GetString(item, {"failed"});
    if (exprs.current.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ".current: required"));
    auto evaluator = cel::StatusEvaluator::Create(exprs);
    if (!evaluator.ok()) return Named(field, evaluator.status());  // the message names current/inProgress/failed
    Entry entry;
    entry.group = kube::GroupVersionKind::FromApiVersion(api_version, "").group;
    entry.kind = object::GetString(item, {"kind"});
    entry.evaluator = std::make_shared<const cel::StatusEvaluator>(*std::move(evaluator));
    out.entries_.push_back(std::move(entry));
  }
  return out;
}

const cel::StatusEvaluator* HealthExpressions::Find(std::string_view group, std::string_view kind) const {
  const cel::StatusEvaluator* group_only = nullptr;
  for (const auto& e : entries_) {
    if (e.group != group) continue;
    if (e.kind == kind) return e.evaluator.get();
    if (e.kind.empty() && group_only == nullptr) group_only = e.evaluator.get();
  }
  return group_only;
}

absl::StatusOr<cel::Program> CompileReadyExpr(std::string_view expression, size_t index) {
  auto program = cel::Compile(expression);
  if (!program.ok()) return Named(absl::StrCat("spec.dependsOn[", index, "].readyExpr"), program.status());
  return program;
}

absl::Status ValidateReadyExprs(const object::Value& kustomization) {
  const object::Value* deps = object::Find(kustomization, {"spec", "dependsOn"});
  if (deps == nullptr || !deps->is_array()) return absl::OkStatus();
  for (size_t i = 0; i < deps->size(); ++i) {
    std::string expr = object::GetString((*deps)[i], {"readyExpr"});
    if (!expr.empty()) FLUX_RETURN_IF_ERROR(CompileReadyExpr(expr, i).status());
  }
  return absl::OkStatus();
}

absl::Status ValidateExpressions(const object::Value& kustomization) {
  FLUX_RETURN_IF_ERROR(HealthExpressions::Compile(kustomization).status());
  return ValidateReadyExprs(kustomization);
}

}  // namespace fluxcpp::kustomize_controller
