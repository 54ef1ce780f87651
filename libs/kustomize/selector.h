#pragma once
// Patch/replacement target selection: kustomize's types.Selector
// ({group, version, kind, name, namespace} as anchored regular expressions,
// labelSelector / annotationSelector in Kubernetes selector syntax), matched
// against a resource's original or current name and namespace.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kustomize/res_map.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Kubernetes label selector syntax: "a=b, c!=d, e in (x,y), f notin (z), g, !h".
class LabelSelector {
 public:
  static absl::StatusOr<LabelSelector> Parse(const std::string& text);
  bool Matches(const object::Value* labels) const;

 private:
  struct Req {
    std::string key;
    enum Op { kEq, kNotEq, kIn, kNotIn, kExists, kNotExists } op;
    std::vector<std::string> values;
  };
  std::vector<Req> reqs_;
};

class Selector {
 public:
  static absl::StatusOr<Selector> Create(const object::Value& selector);
  // Indices of the selected resources, in order.
  absl::StatusOr<std::vector<size_t>> Select(const ResMap& m) const;
  std::string ToString() const { return text_; }

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
  std::string text_;
};

}  // namespace fluxcpp::kustomize
