#pragma once
// The CEL expressions of a Kustomization (spec §10.12, §10.13):
// spec.healthCheckExprs (custom health rules per group/kind) and
// spec.dependsOn[].readyExpr (custom dependency readiness). Both are
// compiled at the start of every reconcile; a compile error is terminal
// (Ready=False and Stalled=True, reason InvalidCELExpression).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/cel/cel.h"
#include "libs/cel/status_evaluator.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize_controller {

// spec.healthCheckExprs, compiled. Immutable after Compile; thread-safe reads.
class HealthExpressions {
 public:
  // Compiles every entry; the error names the field, e.g.
  // "spec.healthCheckExprs[0].current: ...". An absent list gives an empty set.
  static absl::StatusOr<HealthExpressions> Compile(const object::Value& kustomization);

  // The rules for objects of `group`/`kind`: an entry naming the kind beats a
  // group-only entry (the version of apiVersion is not compared). Null when
  // no entry matches.
  const cel::StatusEvaluator* Find(std::string_view group, std::string_view kind) const;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::string group;
    std::string kind;  // empty: every kind of the group
    std::shared_ptr<const cel::StatusEvaluator> evaluator;
  };
  std::vector<Entry> entries_;
};

// Compiles spec.dependsOn[i].readyExpr (variables `self` and `dep`); the error
// names the field ("spec.dependsOn[1].readyExpr: ...").
absl::StatusOr<cel::Program> CompileReadyExpr(std::string_view expression, size_t index);

// Compiles every spec.dependsOn[].readyExpr: OK, or the first compile error
// (InvalidArgument) naming its field.
absl::Status ValidateReadyExprs(const object::Value& kustomization);

// Compiles every CEL expression of the Kustomization: OK, or the first
// compile error (InvalidArgument) naming its field.
absl::Status ValidateExpressions(const object::Value& kustomization);

}  // namespace fluxcpp::kustomize_controller
