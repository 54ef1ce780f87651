#pragma once
// Kubernetes field selectors (`?fieldSelector=`): comma-separated
// `path=value`, `path==value` or `path!=value` terms, AND-ed. A path is a
// dotted field path into the object ("metadata.name", "involvedObject.kind",
// "status.phase"). Immutable once parsed; safe to share across threads.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

class FieldSelector {
 public:
  struct Term {
    std::string field;
    bool negate = false;
    std::string value;
  };

  FieldSelector() = default;  // matches everything
  static absl::StatusOr<FieldSelector> Parse(std::string_view text);

  // Fields that are absent compare as "" (so `spec.x!=v` matches a missing field).
  bool Matches(const object::Value& obj) const;
  bool Empty() const { return terms_.empty(); }
  const std::vector<Term>& terms() const { return terms_; }

  // The value an equality term requires for `field`, or nullptr.
  const std::string* RequiredValue(std::string_view field) const;

 private:
  std::vector<Term> terms_;
};

// The string form of the field at dotted `path` ("" when absent or not a scalar).
std::string FieldValueAt(const object::Value& obj, std::string_view path);

}  // namespace fluxcpp::apimachinery
