#include "libs/apimachinery/semantic_equal.h"

namespace fluxcpp::apimachinery {

bool SemanticallyEqual(const object::Value& a, const object::Value& b) {
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !SemanticallyEqual(it.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SemanticallyEqual(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace fluxcpp::apimachinery
