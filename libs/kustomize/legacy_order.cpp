#include "libs/kustomize/legacy_order.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace fluxcpp::kustomize {
namespace {

const std::vector<std::string>& DefaultFirst() {
  static const std::vector<std::string> k = {
      "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
      "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
      "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
      "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"};
  return k;
}
const std::vector<std::string>& DefaultLast() {
  static const std::vector<std::string> k = {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"};
  return k;
}

std::string GvkSortString(const ResId& id) {
  return (id.group.empty() ? "~G" : id.group) + "_" + (id.version.empty() ? "~V" : id.version) + "_" +
         (id.kind.empty() ? "~K" : id.kind);
}

std::string IdSortString(const ResId& id) {
  return id.GvkString() + "|" + (id.ns.empty() ? "~X" : id.ns) + "|" + (id.name.empty() ? "~N" : id.name);
}

void SortWith(ResMap& m, const std::vector<std::string>& first, const std::vector<std::string>& last) {
  std::map<std::string, int> order;
  for (size_t i = 0; i < first.size(); ++i) order[first[i]] = -static_cast<int>(first.size()) + static_cast<int>(i);
  for (size_t i = 0; i < last.size(); ++i) order[last[i]] = 1 + static_cast<int>(i);
  auto index = [&order](const std::string& kind) {
    auto it = order.find(kind);
    return it == order.end() ? 0 : it->second;
  };
  std::vector<std::pair<ResId, size_t>> keys;
  for (size_t i = 0; i < m.size(); ++i) keys.emplace_back(m[i].CurId(), i);
  std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) {
    const ResId& x = a.first;
    const ResId& y = b.first;
    if (!x.GvkEquals(y)) {
      int ix = index(x.kind), iy = index(y.kind);
      if (ix != iy) return ix < iy;
      if (x.kind == "Namespace" && y.kind == "Namespace" && (x.group.empty() || y.group.empty())) {
        return GvkSortString(x) > GvkSortString(y);
      }
      return GvkSortString(x) < GvkSortString(y);
    }
    return IdSortString(x) < IdSortString(y);
  });
  ResMap out;
  out.reserve(m.size());
  for (auto& k : keys) out.push_back(std::move(m[k.second]));
  m = std::move(out);
}

}  // namespace

void LegacySort(ResMap& m) { SortWith(m, DefaultFirst(), DefaultLast()); }

absl::Status ApplySortOptions(ResMap& m, const object::Value& so) {
  std::string order = object::GetString(so, {"order"});
  const object::Value* legacy = object::Find(so, {"legacySortOptions"});
  bool has_legacy = legacy != nullptr && !legacy->is_null();
  if (order != "fifo" && order != "legacy") {
    return absl::InvalidArgumentError("the field 'sortOptions.order' must be one of [fifo, legacy]");
  }
  if (order == "fifo") {
    if (has_legacy) {
      return absl::InvalidArgumentError(
          "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'");
    }
    return absl::OkStatus();
  }
  if (!has_legacy) {
    LegacySort(m);
    return absl::OkStatus();
  }
  std::vector<std::string> first, last;
  if (const object::Value* f = object::Find(*legacy, {"orderFirst"}); f != nullptr && f->is_array()) {
    for (const auto& v : *f) first.push_back(v.is_string() ? v.get<std::string>() : "");
  }
  if (const object::Value* l = object::Find(*legacy, {"orderLast"}); l != nullptr && l->is_array()) {
    for (const auto& v : *l) last.push_back(v.is_string() ? v.get<std::string>() : "");
  }
  SortWith(m, first, last);
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
