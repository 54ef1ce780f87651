#include "libs/kustomize/replacement_transformer.h"

#include <re2/re2.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/kyaml_reader.h"
#include "libs/kustomize/selector.h"
#include "libs/kustomize/yaml_scalar.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

enum class Create { kNone, kScalar, kMap, kSeq };

// kyaml's SmarterPathSplitter: "." separated, "\." escapes, "[a.b=c.d]" kept whole.
std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> raw = absl::StrSplit(path, '.');
  if (raw.size() > 1 && raw[0].empty()) raw.erase(raw.begin());
  std::vector<std::string> ps;
  for (const std::string& p : raw) {
    if (!ps.empty() && !ps.back().empty() && ps.back().back() == '\\') {
      ps.back().pop_back();
      ps.back() += "." + p;
    } else {
      ps.push_back(p);
    }
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < ps.size(); ++i) {
    const std::string& e = ps[i];
    if (!e.empty() && e.front() == '[' && e.back() != ']') {
      std::vector<std::string> group = {e};
      while (i + 1 < ps.size()) {
        ++i;
        group.push_back(ps[i]);
        if (!ps[i].empty() && ps[i].back() == ']') break;
      }
      std::string joined = absl::StrJoin(group, ".");
      if (joined.find('=') != std::string::npos) {
        out.push_back(joined);
      } else {
        size_t b = joined.find_first_not_of("[]"), e2 = joined.find_last_not_of("[]");
        out.push_back(b == std::string::npos ? "" : joined.substr(b, e2 - b + 1));
      }
    } else {
      out.push_back(e);
    }
  }
  return out;
}

bool IsIndex(const std::string& p) {
  if (p.empty() || p.size() > 9) return false;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}
bool IsListMatch(const std::string& p) { return p.size() >= 2 && p.front() == '[' && p.back() == ']'; }

// The text of a scalar as kyaml holds it.
std::string ScalarText(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_float()) return FormatGoFloat(v.get<double>());
  if (v.is_number()) return v.dump();
  if (v.is_null()) return "";
  return v.dump();
}

Value NewNode(const std::string& next, Create create) {
  if (IsListMatch(next) || IsIndex(next)) return Value::array();
  if (!next.empty()) return Value::object();
  switch (create) {
    case Create::kMap:
      return Value::object();
    case Create::kSeq:
      return Value::array();
    default:
      return Value();  // a fresh untyped scalar
  }
}

struct Matcher {
  Create create = Create::kNone;
  bool regex = true;  // targets: unanchored regex; source lookup: exact
  // Leaf visitor; `fresh` marks a node created by this walk.
  std::function<absl::Status(Value&, bool fresh)> visit;

  absl::Status Walk(Value& node, const std::vector<std::string>& parts, size_t i, bool fresh) {
    if (i == parts.size()) return visit(node, fresh);
    const std::string& p = parts[i];
    std::string next = i + 1 < parts.size() ? parts[i + 1] : "";
    if (IsIndex(p)) {
      if (!node.is_array()) return absl::OkStatus();
      size_t idx = std::stoul(p);
      if (idx == node.size() && create != Create::kNone) {
        node.push_back(NewNode(next, create));
        fresh = true;
      }
      if (idx >= node.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("index ", idx, " specified but only ", node.size(), " elements found"));
      }
      return Walk(node[idx], parts, i + 1, fresh);
    }
    if (IsListMatch(p)) {
      if (!node.is_array()) return absl::OkStatus();
      std::string inner = p.substr(1, p.size() - 2);
      size_t eq = inner.find('=');
      if (eq == std::string::npos) {
        return absl::InvalidArgumentError("list path element must contain fieldName=fieldValue for element to match");
      }
      std::string field = inner.substr(0, eq), want = inner.substr(eq + 1);
      RE2 re(want);
      auto matches = [&](const Value& elem) {
        const Value* v = field.empty() ? &elem : (elem.is_object() ? object::Find(elem, {field}) : nullptr);
        if (v == nullptr || v->is_object() || v->is_array()) return false;
        std::string text = ScalarText(*v);
        return regex ? RE2::PartialMatch(text, re) : text == want;
      };
      bool any = false;
      for (size_t k = 0; k < node.size(); ++k) {
        if (!matches(node[k])) continue;
        any = true;
        FLUX_RETURN_IF_ERROR(Walk(node[k], parts, i + 1, fresh));
      }
      if (any || create == Create::kNone) return absl::OkStatus();
      node.push_back(field.empty() ? Value(want) : Value{{field, want}});
      return Walk(node.back(), parts, i + 1, true);
    }
    if (p == "*") {
      if (!node.is_array()) return absl::OkStatus();
      for (Value& elem : node) FLUX_RETURN_IF_ERROR(Walk(elem, parts, i + 1, fresh));
      return absl::OkStatus();
    }
    if (!node.is_object()) {
      if (node.is_null() && fresh && create != Create::kNone) {
        node = Value::object();
      } else {
        return absl::OkStatus();
      }
    }
    auto it = node.find(p);
    if (it == node.end() || (it->is_null() && create != Create::kNone && !next.empty())) {
      if (create == Create::kNone) return absl::OkStatus();
      node[p] = NewNode(next, create);
      return Walk(node[p], parts, i + 1, true);
    }
    return Walk(*it, parts, i + 1, fresh);
  }
};

struct IdSel {
  std::string group, version, kind, name, ns;
  bool Empty() const { return group.empty() && version.empty() && kind.empty() && name.empty() && ns.empty(); }
  bool Selects(const ResId& id) const {
    auto eff = [](const std::string& n) { return n.empty() ? std::string("default") : n; };
    return (name.empty() || name == id.name) && (ns.empty() || eff(ns) == eff(id.ns)) &&
           (group.empty() || group == id.group) && (version.empty() || version == id.version) &&
           (kind.empty() || kind == id.kind);
  }
  std::string String() const {
    ResId id{group, version, kind, name, ns};
    return id.String();
  }
};

IdSel ParseIdSel(const Value& v) {
  IdSel s;
  s.group = object::GetString(v, {"group"});
  s.version = object::GetString(v, {"version"});
  s.kind = object::GetString(v, {"kind"});
  s.name = object::GetString(v, {"name"});
  s.ns = object::GetString(v, {"namespace"});
  return s;
}

bool SelectedByAnyId(const Resource& r, const IdSel& sel) {
  if (sel.Selects(r.CurId())) return true;
  for (const ResId& id : r.prev_ids) {
    if (sel.Selects(id)) return true;
  }
  return false;
}

absl::StatusOr<bool> MatchesLabelsAndAnnotations(const Resource& r, const Value& sel) {
  FLUX_ASSIGN_OR_RETURN(LabelSelector labels, LabelSelector::Parse(object::GetString(sel, {"labelSelector"})));
  FLUX_ASSIGN_OR_RETURN(LabelSelector annos, LabelSelector::Parse(object::GetString(sel, {"annotationSelector"})));
  return labels.Matches(object::Find(r.obj, {"metadata", "labels"})) &&
         annos.Matches(object::Find(r.obj, {"metadata", "annotations"}));
}

struct Options {
  std::string delimiter;
  int64_t index = 0;
  bool create = false;
};

Options ParseOptions(const Value& parent) {
  Options o;
  if (const Value* v = object::Find(parent, {"options"}); v != nullptr && v->is_object()) {
    o.delimiter = object::GetString(*v, {"delimiter"});
    o.index = object::GetInt(*v, {"index"});
    o.create = object::GetBool(*v, {"create"});
  }
  return o;
}

absl::StatusOr<Value> GetSourceValue(ResMap& m, const Value& source) {
  IdSel sel = ParseIdSel(source);
  std::string field_path = object::GetString(source, {"fieldPath"});
  if (field_path.empty()) field_path = "metadata.name";
  std::string sel_text = sel.String() + ":" + field_path;
  Options opts = ParseOptions(source);
  if (!opts.delimiter.empty() || opts.create) {
    absl::StrAppend(&sel_text, ":", opts.delimiter, "(", opts.index, "), create=", opts.create ? "true" : "false");
  }
  Resource* found = nullptr;
  for (Resource& r : m) {
    if (!SelectedByAnyId(r, sel)) continue;
    if (found != nullptr) return absl::InvalidArgumentError(absl::StrCat("multiple matches for selector ", sel_text));
    found = &r;
  }
  if (found == nullptr) return absl::InvalidArgumentError(absl::StrCat("nothing selected by ", sel_text));
  std::optional<Value> value;
  Matcher mt;
  mt.regex = false;
  mt.visit = [&](Value& v, bool) {
    if (!value) value = v;
    return absl::OkStatus();
  };
  Value copy = found->obj;
  FLUX_RETURN_IF_ERROR(mt.Walk(copy, SplitPath(field_path), 0, false));
  if (!value || value->is_null() || ((value->is_object() || value->is_array()) && value->empty())) {
    return absl::InvalidArgumentError(absl::StrCat("fieldPath `", field_path, "` is missing for replacement source ",
                                                   sel.String()));
  }
  if (opts.delimiter.empty()) return *value;
  if (value->is_object() || value->is_array()) {
    return absl::InvalidArgumentError("delimiter option can only be used with scalar nodes");
  }
  std::string text = ScalarText(*value);
  std::vector<std::string> parts = absl::StrSplit(text, std::string(opts.delimiter));
  if (opts.index < 0 || opts.index >= static_cast<int64_t>(parts.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.index ", opts.index, " is out of bounds for value ", text));
  }
  return Value(parts[opts.index]);
}

// Sets one target field (see the header for the typing rules).
absl::Status SetField(Value& target, bool fresh, Value value, const Options& opts) {
  if (!opts.delimiter.empty()) {
    if (target.is_object() || target.is_array()) {
      return absl::InvalidArgumentError("delimiter option can only be used with scalar nodes");
    }
    std::vector<std::string> tv = absl::StrSplit(ScalarText(target), std::string(opts.delimiter));
    std::string v = ScalarText(value);
    if (opts.index < 0) {
      tv.insert(tv.begin(), v);
    } else if (opts.index >= static_cast<int64_t>(tv.size())) {
      tv.push_back(v);
    } else {
      tv[opts.index] = v;
    }
    value = Value(absl::StrJoin(tv, opts.delimiter));
  }
  bool target_scalar = !target.is_object() && !target.is_array();
  if (!target_scalar || value.is_object() || value.is_array()) {
    target = std::move(value);
    return absl::OkStatus();
  }
  std::string text = ScalarText(value);
  if (fresh || target.is_null()) {
    // An untagged scalar: its text resolves on output.
    target = value.is_string() ? ResolvePlainV3(text) : value;
    return absl::OkStatus();
  }
  if (target.is_string()) {
    target = text;
    return absl::OkStatus();
  }
  Value resolved = ResolvePlainV3(text);
  if ((target.is_number() && resolved.is_number()) || (target.is_boolean() && resolved.is_boolean())) {
    target = resolved;
  } else {
    target = text;
  }
  return absl::OkStatus();
}

absl::Status ApplyTarget(ResMap& m, const Value& value, const Value& target) {
  const Value* select = object::Find(target, {"select"});
  if (select == nullptr || select->is_null()) return absl::InvalidArgumentError("target must specify resources to select");
  IdSel sel = ParseIdSel(*select);
  std::vector<std::string> field_paths;
  if (const Value* fps = object::Find(target, {"fieldPaths"}); fps != nullptr && fps->is_array()) {
    for (const Value& fp : *fps) field_paths.push_back(ScalarText(fp));
  }
  if (field_paths.empty()) field_paths.push_back("metadata.name");
  Options opts = ParseOptions(target);
  std::vector<Value> rejects;
  if (const Value* rj = object::Find(target, {"reject"}); rj != nullptr && rj->is_array()) {
    for (const Value& r : *rj) rejects.push_back(r);
  }
  for (Resource& r : m) {
    FLUX_ASSIGN_OR_RETURN(bool ok, MatchesLabelsAndAnnotations(r, *select));
    if (!ok) continue;
    bool rejected = false;
    for (const Value& rj : rejects) {
      IdSel rs = ParseIdSel(rj);
      if (!object::GetString(rj, {"labelSelector"}).empty() || !object::GetString(rj, {"annotationSelector"}).empty()) {
        FLUX_ASSIGN_OR_RETURN(bool hit, MatchesLabelsAndAnnotations(r, rj));
        if (hit) rejected = true;
      }
      if (!rs.Empty() && SelectedByAnyId(r, rs)) rejected = true;
    }
    if (rejected || !SelectedByAnyId(r, sel)) continue;
    for (const std::string& fp : field_paths) {
      Matcher mt;
      if (opts.create) {
        mt.create = value.is_object() ? Create::kMap : value.is_array() ? Create::kSeq : Create::kScalar;
      }
      int hits = 0;
      mt.visit = [&](Value& v, bool fresh) {
        ++hits;
        return SetField(v, fresh, value, opts);
      };
      absl::Status s = mt.Walk(r.obj, SplitPath(fp), 0, false);
      std::string what = opts.create ? "unable to find or create field \"" : "unable to find field \"";
      if (!s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(what, fp, "\" in replacement target: ", std::string(s.message())));
      }
      if (hits == 0) return absl::InvalidArgumentError(absl::StrCat(what, fp, "\" in replacement target"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyReplacements(ResMap& m, const FileLoader& ldr, const Value& list) {
  if (!list.is_array()) return absl::InvalidArgumentError("replacements must be a list");
  std::vector<Value> reps;
  for (const Value& entry : list) {
    std::string path = object::GetString(entry, {"path"});
    if (path.empty()) {
      reps.push_back(entry);
      continue;
    }
    FLUX_ASSIGN_OR_RETURN(std::string text, ldr.Load(path));
    FLUX_ASSIGN_OR_RETURN(std::vector<Value> docs, ReadYamlDocuments(text));
    for (const Value& d : docs) {
      if (d.is_array()) {
        for (const Value& r : d) reps.push_back(r);
      } else {
        reps.push_back(d);
      }
    }
  }
  for (const Value& r : reps) {
    const Value* source = object::Find(r, {"source"});
    const Value* targets = object::Find(r, {"targets"});
    if (source == nullptr || source->is_null() || targets == nullptr || !targets->is_array()) {
      return absl::InvalidArgumentError("replacements must specify a source and at least one target");
    }
    FLUX_ASSIGN_OR_RETURN(Value value, GetSourceValue(m, *source));
    for (const Value& t : *targets) FLUX_RETURN_IF_ERROR(ApplyTarget(m, value, t));
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
