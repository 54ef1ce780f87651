#include "libs/apimachinery/merge_patch.h"

namespace fluxcpp::apimachinery {

using object::Value;

void MergePatchInPlace(Value& target, const Value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = Value::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it.value().is_null()) {
      target.erase(it.key());
      continue;
    }
    auto found = target.find(it.key());
    if (found == target.end()) {
      Value slot;
      MergePatchInPlace(slot, it.value());
      target[it.key()] = std::move(slot);
    } else {
      MergePatchInPlace(*found, it.value());
    }
  }
}

Value ApplyMergePatch(const Value& target, const Value& patch) {
  Value out = target;
  MergePatchInPlace(out, patch);
  return out;
}

Value CreateMergePatch(const Value& from, const Value& to) {
  if (!from.is_object() || !to.is_object()) return to;
  Value patch = Value::object();
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (!to.contains(it.key())) patch[it.key()] = nullptr;
  }
  for (auto it = to.begin(); it != to.end(); ++it) {
    auto found = from.find(it.key());
    if (found == from.end()) {
      patch[it.key()] = it.value();
    } else if (*found != it.value()) {
      if (found->is_object() && it.value().is_object()) {
        patch[it.key()] = CreateMergePatch(*found, it.value());
      } else {
        patch[it.key()] = it.value();
      }
    }
  }
  return patch;
}

}  // namespace fluxcpp::apimachinery
