#include "libs/apimachinery/strategic_merge_patch.h"

#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::apimachinery {
namespace {

using object::Value;

constexpr absl::string_view kSetElementOrder = "$setElementOrder/";
constexpr absl::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

absl::Status MergeMap(Value& original, const Value& patch);

bool SameKey(const Value& a, const Value& b, const std::string& key) {
  auto ia = a.find(key);
  auto ib = b.find(key);
  return ia != a.end() && ib != b.end() && *ia == *ib;
}

absl::Status MergeList(std::string_view field, Value& original, const Value& patch) {
  if (!original.is_array()) original = Value::array();
  const Value& sample = !patch.empty() ? patch[0] : (!original.empty() ? original[0] : Value());
  std::string key = MergeKeyFor(field, sample);
  // A {"$patch": "replace"} element replaces the list with the other elements.
  for (const Value& item : patch) {
    if (item.is_object() && item.value("$patch", "") == "replace") {
      Value out = Value::array();
      for (const Value& other : patch) {
        if (!(other.is_object() && other.contains("$patch"))) out.push_back(other);
      }
      original = std::move(out);
      return absl::OkStatus();
    }
  }
  if (key.empty()) {
    original = patch;
    return absl::OkStatus();
  }
  if (key == "*") {
    for (const Value& item : patch) {
      if (std::find(original.begin(), original.end(), item) == original.end()) original.push_back(item);
    }
    return absl::OkStatus();
  }
  for (const Value& item : patch) {
    if (!item.is_object() || !item.contains(key)) {
      return absl::InvalidArgumentError(
          absl::StrCat("map: ", item.dump(), " does not contain declared merge key: ", key));
    }
    auto found = std::find_if(original.begin(), original.end(),
                              [&](const Value& o) { return o.is_object() && SameKey(o, item, key); });
    std::string directive = item.value("$patch", "");
    if (directive == "delete") {
      if (found != original.end()) original.erase(found);
      continue;
    }
    if (found == original.end()) {
      Value fresh = Value::object();
      FLUX_RETURN_IF_ERROR(MergeMap(fresh, item));
      original.push_back(std::move(fresh));
    } else {
      FLUX_RETURN_IF_ERROR(MergeMap(*found, item));
    }
  }
  return absl::OkStatus();
}

// Orders `list` as `order` says; elements not named there keep their relative
// order after the named ones.
void ApplyOrder(std::string_view field, Value& list, const Value& order) {
  if (!list.is_array() || !order.is_array() || order.empty()) return;
  std::string key = MergeKeyFor(field, order[0]);
  if (key.empty()) return;
  auto matches = [&](const Value& element, const Value& wanted) {
    if (key == "*") return element == wanted;
    return element.is_object() && wanted.is_object() && SameKey(element, wanted, key);
  };
  Value out = Value::array();
  std::vector<bool> used(list.size(), false);
  for (const Value& wanted : order) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (!used[i] && matches(list[i], wanted)) {
        out.push_back(list[i]);
        used[i] = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (!used[i]) out.push_back(list[i]);
  }
  list = std::move(out);
}

absl::Status MergeMap(Value& original, const Value& patch) {
  if (!original.is_object()) original = Value::object();
  std::string directive;
  if (auto it = patch.find("$patch"); it != patch.end()) {
    if (!it->is_string()) return absl::InvalidArgumentError("$patch must be a string");
    directive = it->get<std::string>();
  }
  if (directive == "replace") {
    Value out = Value::object();
    for (auto it = patch.begin(); it != patch.end(); ++it) {
      if (it.key() != "$patch") out[it.key()] = it.value();
    }
    original = std::move(out);
    return absl::OkStatus();
  }
  if (!directive.empty() && directive != "merge" && directive != "delete") {
    return absl::InvalidArgumentError(absl::StrCat("Unknown patch type: ", directive));
  }
  const Value* retain = nullptr;
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& k = it.key();
    const Value& v = it.value();
    if (k == "$patch") continue;
    if (k == "$retainKeys") {
      retain = &v;
      continue;
    }
    if (absl::StartsWith(k, kSetElementOrder)) continue;  // applied after merging
    if (absl::StartsWith(k, kDeleteFromPrimitiveList)) {
      std::string field = k.substr(kDeleteFromPrimitiveList.size());
      auto target = original.find(field);
      if (target != original.end() && target->is_array() && v.is_array()) {
        Value kept = Value::array();
        for (const Value& e : *target) {
          if (std::find(v.begin(), v.end(), e) == v.end()) kept.push_back(e);
        }
        *target = std::move(kept);
      }
      continue;
    }
    if (v.is_null()) {
      original.erase(k);
      continue;
    }
    if (v.is_object()) {
      if (v.value("$patch", "") == "delete") {
        original.erase(k);
        continue;
      }
      FLUX_RETURN_IF_ERROR(MergeMap(original[k], v));
    } else if (v.is_array()) {
      FLUX_RETURN_IF_ERROR(MergeList(k, original[k], v));
    } else {
      original[k] = v;
    }
  }
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (absl::StartsWith(it.key(), kSetElementOrder)) {
      std::string field = it.key().substr(kSetElementOrder.size());
      auto target = original.find(field);
      if (target != original.end()) ApplyOrder(field, *target, it.value());
    }
  }
  if (retain != nullptr && retain->is_array()) {
    std::vector<std::string> drop;
    for (auto it = original.begin(); it != original.end(); ++it) {
      if (std::find(retain->begin(), retain->end(), Value(it.key())) == retain->end()) drop.push_back(it.key());
    }
    for (const std::string& k : drop) original.erase(k);
  }
  return absl::OkStatus();
}

}  // namespace

std::string MergeKeyFor(std::string_view field, const Value& sample) {
  if (field == "finalizers") return "*";
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers" || field == "volumes" ||
      field == "env" || field == "imagePullSecrets" || field == "secrets") {
    return "name";
  }
  if (field == "volumeMounts") return "mountPath";
  if (field == "volumeDevices") return "devicePath";
  if (field == "hostAliases") return "ip";
  if (field == "conditions") return "type";
  if (field == "ownerReferences") return "uid";
  if (field == "topologySpreadConstraints") return "topologyKey";
  if (field == "ports") {
    if (sample.is_object() && sample.contains("containerPort")) return "containerPort";
    if (sample.is_object() && sample.contains("port")) return "port";
    return "";
  }
  return "";
}

absl::StatusOr<Value> ApplyStrategicMergePatch(const Value& original, const Value& patch) {
  if (!patch.is_object()) return absl::InvalidArgumentError("strategic merge patch must be a JSON object");
  Value out = original;
  FLUX_RETURN_IF_ERROR(MergeMap(out, patch));
  return out;
}

}  // namespace fluxcpp::apimachinery
