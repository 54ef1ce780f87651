#pragma once
// Kubernetes label selectors: the string form used by `?labelSelector=`
// (k8s.io/apimachinery/pkg/labels) and the structured metav1.LabelSelector
// form (matchLabels / matchExpressions) found in specs.
//
// Grammar (comma-separated requirements, AND-ed):
//   key | !key | key=v | key==v | key!=v | key in (v1,v2) | key notin (v1,v2)
//   | key>N | key<N
// Values and keys are validated loosely (no empty keys, no stray tokens).
// A parsed selector is immutable and safe to share across threads.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

using Labels = std::map<std::string, std::string>;

class LabelSelector {
 public:
  enum class Op { kExists, kDoesNotExist, kEquals, kNotEquals, kIn, kNotIn, kGreaterThan, kLessThan };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  // The selector that matches everything.
  LabelSelector() = default;

  // Parses the string form. InvalidArgument with a kube-like message on errors.
  static absl::StatusOr<LabelSelector> Parse(std::string_view text);

  // From a metav1.LabelSelector object ({matchLabels, matchExpressions}).
  // A null/absent selector matches everything here; callers that need
  // "null selects nothing" must check before calling.
  static absl::StatusOr<LabelSelector> FromObject(const object::Value& selector);

  bool Matches(const Labels& labels) const;
  bool Empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

  // Canonical string form (parsable by Parse).
  std::string ToString() const;

 private:
  std::vector<Requirement> requirements_;
};

// metadata.labels of an object as a map (non-string values are skipped).
Labels LabelsOf(const object::Value& obj);

}  // namespace fluxcpp::apimachinery
