#pragma once
// A light CEL type check: infers static types where they are certain and
// rejects what cel-go's checker would reject in that case:
//   * a reference to an undeclared variable;
//   * `==`, `!=`, `<`, ... between two known, different, non-numeric types;
//   * list / map literals whose known element types differ
//     (HomogeneousAggregateLiterals, when enabled);
//   * a result type that is known and not bool, when a bool is required.
// Anything whose type is not certain is `dyn` and left to evaluation.

#include <map>
#include <string>

#include "absl/status/status.h"
#include "libs/cel/ast.h"

namespace fluxcpp::cel {

struct CheckOptions {
  bool expect_bool = false;
  bool homogeneous_aggregate_literals = true;
};

absl::Status Check(const Expr& root, const std::map<std::string, std::string>& declarations,
                   const CheckOptions& options);

}  // namespace fluxcpp::cel
