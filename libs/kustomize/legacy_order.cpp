#include "libs/kustomize/legacy_order.h"

#include <algorithm>
#include <array>
#include <string_view>
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

// Lexicographic comparison of two concatenations of pieces, as if the strings
// had been built (no allocation).
template <size_t N>
bool ConcatLess(const std::array<std::string_view, N>& a, const std::array<std::string_view, N>& b) {
  size_t ai = 0, ap = 0, bi = 0, bp = 0;
  while (true) {
    while (ai < N && ap == a[ai].size()) ++ai, ap = 0;
    while (bi < N && bp == b[bi].size()) ++bi, bp = 0;
    if (ai == N || bi == N) return ai == N && bi != N;
    unsigned char ca = static_cast<unsigned char>(a[ai][ap]), cb = static_cast<unsigned char>(b[bi][bp]);
    if (ca != cb) return ca < cb;
    ++ap;
    ++bp;
  }
}

// A resource's current id as views into its object (valid while the object
// is not modified): what the ordering compares, without copying strings.
struct IdView {
  std::string_view group, version, kind, name, ns;

  static IdView Of(const object::Value& obj) {
    auto str = [](const object::Value* v) -> std::string_view {
      return v != nullptr && v->is_string() ? std::string_view(v->get_ref<const std::string&>()) : std::string_view();
    };
    IdView id;
    std::string_view api_version = str(object::Find(obj, {"apiVersion"}));
    size_t slash = api_version.rfind('/');
    if (slash == std::string_view::npos) {
      id.version = api_version;
    } else {
      id.group = api_version.substr(0, slash);
      id.version = api_version.substr(slash + 1);
    }
    id.kind = str(object::Find(obj, {"kind"}));
    id.name = str(object::Find(obj, {"metadata", "name"}));
    id.ns = str(object::Find(obj, {"metadata", "namespace"}));
    return id;
  }
  bool GvkEquals(const IdView& o) const { return group == o.group && version == o.version && kind == o.kind; }
};

std::array<std::string_view, 5> GvkSortPieces(const IdView& id) {
  return {id.group.empty() ? std::string_view("~G") : std::string_view(id.group), "_",
          id.version.empty() ? std::string_view("~V") : std::string_view(id.version), "_",
          id.kind.empty() ? std::string_view("~K") : std::string_view(id.kind)};
}

// kustomize's gvk sort string: "group_version_kind" ("~G", "~V", "~K" for empty parts).
bool GvkSortLess(const IdView& x, const IdView& y) { return ConcatLess(GvkSortPieces(x), GvkSortPieces(y)); }

std::array<std::string_view, 9> IdSortPieces(const IdView& id) {
  return {id.kind.empty() ? std::string_view("[noKind]") : std::string_view(id.kind), ".",
          id.version.empty() ? std::string_view("[noVer]") : std::string_view(id.version), ".",
          id.group.empty() ? std::string_view("[noGrp]") : std::string_view(id.group), "|",
          id.ns.empty() ? std::string_view("~X") : std::string_view(id.ns), "|",
          id.name.empty() ? std::string_view("~N") : std::string_view(id.name)};
}

// kustomize's id sort string: "Kind.version.group|namespace|name" (GvkString, "~X", "~N").
bool IdSortLess(const IdView& x, const IdView& y) { return ConcatLess(IdSortPieces(x), IdSortPieces(y)); }

void SortWith(ResMap& m, const std::vector<std::string>& first, const std::vector<std::string>& last) {
  std::map<std::string, int, std::less<>> order;
  for (size_t i = 0; i < first.size(); ++i) order[first[i]] = -static_cast<int>(first.size()) + static_cast<int>(i);
  for (size_t i = 0; i < last.size(); ++i) order[last[i]] = 1 + static_cast<int>(i);
  auto index = [&order](std::string_view kind) {
    auto it = order.find(kind);
    return it == order.end() ? 0 : it->second;
  };
  // Compact keys: the ids (needed for the comparisons) and the kind order;
  // the sort strings are compared piecewise, without building them.
  std::vector<IdView> ids;
  std::vector<int> kind_index;
  ids.reserve(m.size());
  kind_index.reserve(m.size());
  for (const Resource& r : m) {
    ids.push_back(IdView::Of(r.obj));
    kind_index.push_back(index(ids.back().kind));
  }
  std::vector<size_t> sorted(m.size());
  for (size_t i = 0; i < sorted.size(); ++i) sorted[i] = i;
  std::stable_sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) {
    const IdView& x = ids[a];
    const IdView& y = ids[b];
    if (!x.GvkEquals(y)) {
      if (kind_index[a] != kind_index[b]) return kind_index[a] < kind_index[b];
      if (x.kind == "Namespace" && y.kind == "Namespace" && (x.group.empty() || y.group.empty())) {
        return GvkSortLess(y, x);
      }
      return GvkSortLess(x, y);
    }
    return IdSortLess(x, y);
  });
  ids.clear();  // views die with the moves below
  // Apply the permutation in place (position k takes sorted[k]), following
  // its cycles, so no second resource vector is allocated.
  std::vector<bool> placed(m.size(), false);
  for (size_t start = 0; start < m.size(); ++start) {
    if (placed[start]) continue;
    Resource held = std::move(m[start]);
    size_t k = start;
    while (true) {
      placed[k] = true;
      size_t src = sorted[k];
      if (src == start) {
        m[k] = std::move(held);
        break;
      }
      m[k] = std::move(m[src]);
      k = src;
    }
  }
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
