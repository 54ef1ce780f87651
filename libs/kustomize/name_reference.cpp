#include "libs/kustomize/name_reference.h"

#include <cstdint>
#include <functional>
#include <string_view>
#include <map>
#include <unordered_map>

#include <algorithm>

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/kyaml_writer.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

std::string EffectiveNamespace(const ResId& id) {
  if (!IsNamespaceableKind(id.kind)) return "_non_namespaceable_";
  if (id.ns.empty() || id.ns == "default") return "default";
  return id.ns;
}

bool GvkSelected(const ResId& id, const std::string& group, const std::string& version, const std::string& kind) {
  if (!group.empty() && group != id.group) return false;
  if (!version.empty() && version != id.version) return false;
  if (!kind.empty() && kind != id.kind) return false;
  return true;
}

bool SameEndingSubSlice(std::vector<std::string> shortest, std::vector<std::string> longest) {
  if (shortest.size() > longest.size()) std::swap(shortest, longest);
  size_t diff = longest.size() - shortest.size();
  if (shortest.empty()) return diff == 0;
  for (size_t i = shortest.size(); i-- > 0;) {
    if (longest[i + diff] != shortest[i]) return false;
  }
  return true;
}

bool PrefixesSuffixesEqual(const Resource& a, const Resource& b, bool allow_empty) {
  if (allow_empty) {
    bool prefix_empty = a.prefixes.empty() || b.prefixes.empty();
    bool suffix_empty = a.suffixes.empty() || b.suffixes.empty();
    return (prefix_empty || SameEndingSubSlice(a.prefixes, b.prefixes)) &&
           (suffix_empty || SameEndingSubSlice(a.suffixes, b.suffixes));
  }
  return SameEndingSubSlice(a.prefixes, b.prefixes) && SameEndingSubSlice(a.suffixes, b.suffixes);
}

// What name-reference fixing needs of every resource, computed once per
// FixNameReferences (fixing rewrites reference fields only, never a
// resource's own kind, name or namespace, nor its previous ids) and kept
// small: namespaces interned, previous names as views into the resources.
struct IdIndex {
  static constexpr uint32_t kNoNamespace = UINT32_MAX;
  std::vector<std::string> ns_names;                    // interned effective namespaces
  std::unordered_map<std::string, uint32_t> ns_ids;
  std::vector<uint32_t> effective_ns;                   // per resource, of the current id
  std::vector<uint32_t> orig_effective_ns;              // per resource, of the original id
  std::vector<uint8_t> namespaceable;                   // per resource: current kind is namespaced
  std::vector<uint8_t> service_account;                 // per resource: current kind is ServiceAccount
  std::vector<std::vector<size_t>> by_namespace;        // ns id -> indexes (ascending)
  // (name of a previous id, index), sorted, each pair once; views into prev_ids.
  std::vector<std::pair<std::string_view, size_t>> by_prev_name;
  std::vector<size_t> all;

  explicit IdIndex(const ResMap& m) {
    size_t prev_total = 0;
    for (const Resource& r : m) prev_total += r.prev_ids.size();
    by_prev_name.reserve(prev_total);
    effective_ns.reserve(m.size());
    orig_effective_ns.reserve(m.size());
    for (size_t i = 0; i < m.size(); ++i) {
      ResId cur = m[i].CurId();
      effective_ns.push_back(Intern(EffectiveNamespace(cur)));
      orig_effective_ns.push_back(
          m[i].prev_ids.empty() ? effective_ns.back() : Intern(EffectiveNamespace(m[i].prev_ids.front())));
      namespaceable.push_back(IsNamespaceableKind(cur.kind) ? 1 : 0);
      service_account.push_back(cur.kind == "ServiceAccount" ? 1 : 0);
      by_namespace[effective_ns.back()].push_back(i);
      for (const ResId& p : m[i].prev_ids) by_prev_name.emplace_back(p.name, i);
      all.push_back(i);
    }
    std::sort(by_prev_name.begin(), by_prev_name.end());
    by_prev_name.erase(std::unique(by_prev_name.begin(), by_prev_name.end()), by_prev_name.end());
  }

  // The id of an effective namespace, kNoNamespace when no resource has it.
  uint32_t NamespaceId(const std::string& ns) const {
    auto it = ns_ids.find(ns);
    return it == ns_ids.end() ? kNoNamespace : it->second;
  }

 private:
  uint32_t Intern(const std::string& ns) {
    auto [it, fresh] = ns_ids.try_emplace(ns, static_cast<uint32_t>(ns_names.size()));
    if (fresh) {
      ns_names.push_back(ns);
      by_namespace.emplace_back();
    }
    return it->second;
  }
};

class Fixer {
 public:
  // `candidates`: ascending indexes into m.
  Fixer(ResMap& m, const IdIndex& index, size_t referrer, const NameBackReference& target, const FieldSpec& spec,
        const std::vector<size_t>& candidates)
      : m_(m), index_(index), referrer_(referrer), target_(target), spec_(spec), candidates_(candidates) {}

  absl::Status Run() {
    Resource& r = m_[referrer_];
    FieldSpec fs = spec_;
    fs.create = false;
    absl::Status s = ApplyFieldSpec(r.obj, fs, LeafKind::kNone, [this](Value& v) { return Set(v); });
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("updating name reference in '", spec_.path, "' field of '",
                                                 m_[referrer_].CurId().String(), "': ", std::string(s.message())));
    }
    return s;
  }

 private:
  absl::Status Set(Value& node) {
    if (node.is_null()) return absl::OkStatus();
    if (node.is_string()) return SetScalar(node);
    if (node.is_object()) return SetMapping(node);
    if (node.is_array()) {
      for (Value& item : node) {
        if (item.is_string()) {
          FLUX_RETURN_IF_ERROR(SetScalar(item));
        } else if (item.is_object()) {
          FLUX_RETURN_IF_ERROR(SetMapping(item));
        } else if (!item.is_null()) {
          return absl::InvalidArgumentError("node must be a scalar, sequence or map");
        }
      }
      return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  absl::Status SetScalar(Value& node) {
    std::string old = node.get<std::string>();
    FLUX_ASSIGN_OR_RETURN(int idx, Select(old, nullptr, false));
    if (idx < 0) return absl::OkStatus();
    std::string name = m_[static_cast<size_t>(idx)].Name();
    if (name != old) node = name;
    return absl::OkStatus();
  }

  absl::Status SetMapping(Value& node) {
    auto name_it = node.find("name");
    if (name_it == node.end()) return absl::InvalidArgumentError("path config error; no 'name' field in node");
    // kustomize groups all candidates by original namespace; when any
    // candidate originally lived in the node's namespace only that group is
    // considered, else the candidates currently there.
    std::function<bool(size_t)> in_namespace;
    auto ns_it = node.find("namespace");
    if (ns_it != node.end()) {
      std::string ns = ns_it->is_string() ? ns_it->get<std::string>() : "";
      const uint32_t ns_id = index_.NamespaceId(ns);
      bool orig_group_exists = false;
      if (ns != "_non_namespaceable_" && ns_id != IdIndex::kNoNamespace) {
        for (size_t i : candidates_) {
          if (index_.orig_effective_ns[i] == ns_id) {
            orig_group_exists = true;
            break;
          }
        }
      }
      if (orig_group_exists) {
        in_namespace = [this, ns_id](size_t i) { return index_.orig_effective_ns[i] == ns_id; };
      } else {
        in_namespace = [this, ns_id](size_t i) { return ns_id != IdIndex::kNoNamespace && index_.effective_ns[i] == ns_id; };
      }
    }
    std::string old = name_it->is_string() ? name_it->get<std::string>() : "";
    FLUX_ASSIGN_OR_RETURN(int idx, Select(old, in_namespace ? &in_namespace : nullptr, true));
    if (idx < 0) return absl::OkStatus();
    const Resource& referral = m_[static_cast<size_t>(idx)];
    std::string referral_ns = referral.Namespace();
    if (referral.Name() == old && referral_ns.empty()) return absl::OkStatus();
    node["name"] = referral.Name();
    if (referral_ns.empty()) return absl::OkStatus();
    node["namespace"] = referral_ns;
    return absl::OkStatus();
  }

  // Index of the chosen referral among the candidates (restricted by
  // `filter` when given) that had `old_name`; -1 for none.
  absl::StatusOr<int> Select(const std::string& old_name, const std::function<bool(size_t)>* filter,
                             bool check_namespace) {
    const Resource& referrer = m_[referrer_];
    std::vector<size_t> c;
    auto named = std::equal_range(index_.by_prev_name.begin(), index_.by_prev_name.end(),
                                  std::pair<std::string_view, size_t>(old_name, 0),
                                  [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto it = named.first; it != named.second; ++it) {
      const size_t i = it->second;
      if (!std::binary_search(candidates_.begin(), candidates_.end(), i)) continue;
      if (filter != nullptr && !(*filter)(i)) continue;
      const Resource& r = m_[i];
      bool gvk_match = false;
      for (const ResId& p : r.prev_ids) {
        if (GvkSelected(p, target_.group, target_.version, target_.kind)) gvk_match = true;
      }
      if (!gvk_match) continue;
      if (absl::EndsWith(spec_.path, "roleRef/name")) {
        const Value* role_ref = object::Find(referrer.obj, {"roleRef"});
        if (role_ref != nullptr && role_ref->is_object() && role_ref->contains("apiGroup") && role_ref->contains("kind")) {
          std::string g = object::GetString(*role_ref, {"apiGroup"});
          std::string k = object::GetString(*role_ref, {"kind"});
          bool ok = false;
          for (const ResId& p : r.prev_ids) {
            if (GvkSelected(p, g, "", k)) ok = true;
          }
          if (!ok) continue;
        }
      }
      if (index_.namespaceable[referrer_]) {
        if (index_.namespaceable[i] && !index_.service_account[i] &&
            index_.effective_ns[referrer_] != index_.effective_ns[i]) {
          continue;
        }
      }
      c.push_back(i);
    }
    if (c.size() == 1) return static_cast<int>(c[0]);
    std::vector<size_t> c2;
    for (size_t i : c) {
      if (PrefixesSuffixesEqual(m_[i], referrer, true)) c2.push_back(i);
    }
    if (c2.size() > 1) {
      std::vector<size_t> c3;
      for (size_t i : c2) {
        if (PrefixesSuffixesEqual(m_[i], referrer, false)) c3.push_back(i);
      }
      c2 = c3;
    }
    if (c2.size() == 1) return static_cast<int>(c2[0]);
    if (c2.empty()) return -1;
    bool identical = true;
    for (size_t i : c2) {
      if (m_[i].Name() != m_[c2[0]].Name() || (check_namespace && m_[i].Namespace() != m_[c2[0]].Namespace())) {
        identical = false;
      }
    }
    if (identical) return static_cast<int>(c2[0]);
    std::vector<std::string> ids;
    for (size_t i : c2) ids.push_back(m_[i].CurId().String());
    return absl::InvalidArgumentError(absl::StrCat("found multiple possible referrals: ", absl::StrJoin(ids, ", "),
                                                   "\n\n**** Too many possible referral targets to referrer:\n",
                                                   MarshalResource(referrer.obj)));
  }

  ResMap& m_;
  const IdIndex& index_;
  size_t referrer_;
  const NameBackReference& target_;
  const FieldSpec& spec_;
  const std::vector<size_t>& candidates_;
};

// Candidates a referrer may point at: same namespace, cluster-scoped, or (for
// RoleBindings) the namespaces of its ServiceAccount subjects. Ascending order.
// Without subject namespaces the list depends on the referrer's effective
// namespace alone and is shared through `shared`; else it is built in `own`.
absl::StatusOr<const std::vector<size_t>*> CouldBeReferenced(
    const ResMap& m, const IdIndex& index, size_t referrer,
    std::unordered_map<uint32_t, std::vector<size_t>>& shared, std::vector<size_t>& own) {
  if (!index.namespaceable[referrer]) return &index.all;
  std::set<std::string> rb_namespaces;
  if (m[referrer].Kind() == "RoleBinding") {
    const Value* subjects = object::Find(m[referrer].obj, {"subjects"});
    if (subjects != nullptr && subjects->is_array()) {
      for (const Value& s : *subjects) {
        if (!s.is_object() || !s.contains("namespace") || !s.contains("kind")) continue;
        if (object::GetString(s, {"kind"}) != "ServiceAccount") continue;
        if (!s["namespace"].is_string()) {
          return absl::InvalidArgumentError(
              absl::StrCat("Invalid Input: namespace is blank for resource \"", m[referrer].CurId().String(), "\"\n"));
        }
        rb_namespaces.insert(s["namespace"].get<std::string>());
      }
    }
  }
  const uint32_t ns = index.effective_ns[referrer];
  if (rb_namespaces.empty()) {
    if (auto it = shared.find(ns); it != shared.end()) return &it->second;
  }
  std::vector<size_t> out;
  auto add = [&](uint32_t group) {
    if (group != IdIndex::kNoNamespace) out.insert(out.end(), index.by_namespace[group].begin(), index.by_namespace[group].end());
  };
  add(index.NamespaceId("_non_namespaceable_"));
  add(ns);
  if (!rb_namespaces.empty()) {
    // Subjects name literal namespaces (Namespace() of the candidate).
    for (size_t i = 0; i < m.size(); ++i) {
      if (rb_namespaces.count(m[i].Namespace()) != 0) out.push_back(i);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (!rb_namespaces.empty()) {
    own = std::move(out);
    return &own;
  }
  return &(shared[ns] = std::move(out));
}

}  // namespace

absl::Status FixNameReferences(ResMap& m, const std::vector<NameBackReference>& back_refs) {
  const IdIndex index(m);
  using Filters = std::vector<std::pair<const NameBackReference*, const FieldSpec*>>;
  // The referrer field specs select by gvk only: one filter list per original gvk.
  std::unordered_map<std::string, Filters> filters_by_gvk;
  std::unordered_map<uint32_t, std::vector<size_t>> shared_candidates;
  std::vector<size_t> own_candidates;
  for (size_t ri = 0; ri < m.size(); ++ri) {
    const ResId orig = m[ri].OrigId();
    auto [it, fresh] = filters_by_gvk.try_emplace(absl::StrCat(orig.group, "\x1f", orig.version, "\x1f", orig.kind));
    Filters& filters = it->second;
    if (fresh) {
      for (const NameBackReference& b : back_refs) {
        for (const FieldSpec& fs : b.referrers) {
          if (fs.Selects(orig)) filters.emplace_back(&b, &fs);
        }
      }
    }
    if (filters.empty()) continue;
    FLUX_ASSIGN_OR_RETURN(const std::vector<size_t>* candidates,
                          CouldBeReferenced(m, index, ri, shared_candidates, own_candidates));
    for (const auto& [b, fs] : filters) {
      Fixer f(m, index, ri, *b, *fs, *candidates);
      FLUX_RETURN_IF_ERROR(f.Run());
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
