#pragma once
// A small JSONPath evaluator for the forms Kubernetes printer columns and
// `kubectl wait --for=jsonpath` use:
//   .a.b  ['a.b']  ["a"]  [0]  [-1]  [*]  .*  ..name
//   [?(@.type=="Ready")]  [?(@.x.y!='v')]  [?(@.n>3)]  [?(@.flag)]
// optionally wrapped in `{...}` and/or starting with `$`.
// Not supported: slices ([1:3]), unions ([a,b]), range/end templates.
// A parsed path is immutable and safe to share across threads.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

class JsonPath {
 public:
  static absl::StatusOr<JsonPath> Parse(std::string_view expression);

  // Every value the path selects in `root`, in document order. Pointers
  // point into `root` and live as long as it does unmodified.
  std::vector<const object::Value*> Evaluate(const object::Value& root) const;

  struct Step;

 private:
  std::vector<std::shared_ptr<const Step>> steps_;
};

// How kubectl prints one JSONPath result: strings raw, everything else JSON.
std::string JsonPathResultToString(const object::Value& value);

}  // namespace fluxcpp::apimachinery
