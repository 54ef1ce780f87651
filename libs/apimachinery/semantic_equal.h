#pragma once
// Deep equality of JSON values that ignores object key order (ordered_json's
// operator== compares keys in insertion order) and compares numbers by value.

#include "libs/object/value.h"

namespace fluxcpp::apimachinery {

bool SemanticallyEqual(const object::Value& a, const object::Value& b);

}  // namespace fluxcpp::apimachinery
