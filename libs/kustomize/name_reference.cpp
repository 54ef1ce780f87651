#include "libs/kustomize/name_reference.h"

#include <map>

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

class Fixer {
 public:
  Fixer(ResMap& m, size_t referrer, const NameBackReference& target, const FieldSpec& spec,
        std::vector<size_t> candidates)
      : m_(m), referrer_(referrer), target_(target), spec_(spec), candidates_(std::move(candidates)) {}

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
    FLUX_ASSIGN_OR_RETURN(int idx, Select(old, candidates_, false));
    if (idx < 0) return absl::OkStatus();
    std::string name = m_[static_cast<size_t>(idx)].Name();
    if (name != old) node = name;
    return absl::OkStatus();
  }

  absl::Status SetMapping(Value& node) {
    auto name_it = node.find("name");
    if (name_it == node.end()) return absl::InvalidArgumentError("path config error; no 'name' field in node");
    std::vector<size_t> candidates = candidates_;
    auto ns_it = node.find("namespace");
    if (ns_it != node.end()) {
      std::string ns = ns_it->is_string() ? ns_it->get<std::string>() : "";
      std::vector<size_t> by_orig, by_cur;
      bool orig_group_exists = false;
      for (size_t i : candidates_) {
        std::string orig_ns = EffectiveNamespace(m_[i].OrigId());
        if (orig_ns != "_non_namespaceable_" && orig_ns == ns) by_orig.push_back(i);
      }
      for (size_t i = 0; i < m_.size(); ++i) {
        (void)i;
      }
      // kustomize groups all candidates by original namespace; a group exists
      // when any candidate originally lived there.
      orig_group_exists = !by_orig.empty();
      if (orig_group_exists) {
        candidates = by_orig;
      } else {
        for (size_t i : candidates_) {
          if (EffectiveNamespace(m_[i].CurId()) == ns) by_cur.push_back(i);
        }
        candidates = by_cur;
      }
    }
    std::string old = name_it->is_string() ? name_it->get<std::string>() : "";
    FLUX_ASSIGN_OR_RETURN(int idx, Select(old, candidates, true));
    if (idx < 0) return absl::OkStatus();
    const Resource& referral = m_[static_cast<size_t>(idx)];
    std::string ns = referral.Namespace();
    if (referral.Name() == old && ns.empty()) return absl::OkStatus();
    node["name"] = referral.Name();
    if (ns.empty()) return absl::OkStatus();
    node["namespace"] = ns;
    return absl::OkStatus();
  }

  // Index of the chosen referral, -1 for none.
  absl::StatusOr<int> Select(const std::string& old_name, const std::vector<size_t>& in, bool check_namespace) {
    const Resource& referrer = m_[referrer_];
    ResId referrer_id = referrer.CurId();
    std::vector<size_t> c;
    for (size_t i : in) {
      const Resource& r = m_[i];
      bool name_match = false, gvk_match = false;
      for (const ResId& p : r.prev_ids) {
        if (p.name == old_name) name_match = true;
        if (GvkSelected(p, target_.group, target_.version, target_.kind)) gvk_match = true;
      }
      if (!name_match || !gvk_match) continue;
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
      if (IsNamespaceableKind(referrer_id.kind)) {
        ResId cur = r.CurId();
        if (IsNamespaceableKind(cur.kind) && r.Kind() != "ServiceAccount" &&
            EffectiveNamespace(referrer_id) != EffectiveNamespace(cur)) {
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
  size_t referrer_;
  const NameBackReference& target_;
  const FieldSpec& spec_;
  std::vector<size_t> candidates_;
};

// Ids of every resource and the resources grouped by effective namespace,
// computed once per FixNameReferences: fixing rewrites reference fields only,
// never a resource's own kind, name or namespace.
struct IdIndex {
  std::vector<ResId> cur_ids;
  std::vector<std::string> effective_ns;                   // per resource
  std::map<std::string, std::vector<size_t>> by_namespace;  // effective ns -> indexes (ascending)
  std::vector<size_t> all;

  explicit IdIndex(const ResMap& m) {
    cur_ids.reserve(m.size());
    for (size_t i = 0; i < m.size(); ++i) {
      cur_ids.push_back(m[i].CurId());
      effective_ns.push_back(EffectiveNamespace(cur_ids.back()));
      by_namespace[effective_ns.back()].push_back(i);
      all.push_back(i);
    }
  }
};

// Candidates a referrer may point at: same namespace, cluster-scoped, or (for
// RoleBindings) the namespaces of its ServiceAccount subjects. Ascending order.
absl::StatusOr<std::vector<size_t>> CouldBeReferenced(const ResMap& m, const IdIndex& index, size_t referrer) {
  const ResId& rid = index.cur_ids[referrer];
  if (!IsNamespaceableKind(rid.kind)) return index.all;
  std::set<std::string> rb_namespaces;
  if (rid.kind == "RoleBinding") {
    const Value* subjects = object::Find(m[referrer].obj, {"subjects"});
    if (subjects != nullptr && subjects->is_array()) {
      for (const Value& s : *subjects) {
        if (!s.is_object() || !s.contains("namespace") || !s.contains("kind")) continue;
        if (object::GetString(s, {"kind"}) != "ServiceAccount") continue;
        if (!s["namespace"].is_string()) {
          return absl::InvalidArgumentError(
              absl::StrCat("Invalid Input: namespace is blank for resource \"", rid.String(), "\"\n"));
        }
        rb_namespaces.insert(s["namespace"].get<std::string>());
      }
    }
  }
  std::vector<size_t> out;
  auto add = [&](const std::string& ns) {
    auto it = index.by_namespace.find(ns);
    if (it != index.by_namespace.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  };
  add("_non_namespaceable_");
  add(index.effective_ns[referrer]);
  if (!rb_namespaces.empty()) {
    // Subjects name literal namespaces (Namespace() of the candidate).
    for (size_t i = 0; i < m.size(); ++i) {
      if (rb_namespaces.count(m[i].Namespace()) != 0) out.push_back(i);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

absl::Status FixNameReferences(ResMap& m, const std::vector<NameBackReference>& back_refs) {
  std::vector<ResId> orig_ids;
  for (const Resource& r : m) orig_ids.push_back(r.OrigId());
  const IdIndex index(m);
  for (size_t ri = 0; ri < m.size(); ++ri) {
    std::vector<std::pair<const NameBackReference*, const FieldSpec*>> filters;
    for (const NameBackReference& b : back_refs) {
      for (const FieldSpec& fs : b.referrers) {
        if (fs.Selects(orig_ids[ri])) filters.emplace_back(&b, &fs);
      }
    }
    if (filters.empty()) continue;
    FLUX_ASSIGN_OR_RETURN(std::vector<size_t> candidates, CouldBeReferenced(m, index, ri));
    for (const auto& [b, fs] : filters) {
      Fixer f(m, ri, *b, *fs, candidates);
      FLUX_RETURN_IF_ERROR(f.Run());
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
