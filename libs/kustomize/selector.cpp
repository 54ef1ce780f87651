#include "libs/kustomize/selector.h"

#include <re2/re2.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

std::string Trim(const std::string& s) { return std::string(absl::StripAsciiWhitespace(s)); }

// Splits at commas outside parentheses.
std::vector<std::string> SplitTerms(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  out.push_back(cur);
  return out;
}

}  // namespace

absl::StatusOr<LabelSelector> LabelSelector::Parse(const std::string& text) {
  LabelSelector sel;
  if (Trim(text).empty()) return sel;
  for (std::string term : SplitTerms(text)) {
    term = Trim(term);
    if (term.empty()) return absl::InvalidArgumentError(absl::StrCat("invalid label selector: '", text, "'"));
    Req r;
    size_t pos;
    if (term[0] == '!') {
      r.key = Trim(term.substr(1));
      r.op = Req::kNotExists;
    } else if ((pos = term.find("!=")) != std::string::npos) {
      r.key = Trim(term.substr(0, pos));
      r.op = Req::kNotEq;
      r.values = {Trim(term.substr(pos + 2))};
    } else if ((pos = term.find("==")) != std::string::npos) {
      r.key = Trim(term.substr(0, pos));
      r.op = Req::kEq;
      r.values = {Trim(term.substr(pos + 2))};
    } else if ((pos = term.find('=')) != std::string::npos) {
      r.key = Trim(term.substr(0, pos));
      r.op = Req::kEq;
      r.values = {Trim(term.substr(pos + 1))};
    } else if ((pos = term.find(" notin ")) != std::string::npos || (pos = term.find(" in ")) != std::string::npos) {
      bool notin = term.compare(pos, 7, " notin ") == 0;
      r.key = Trim(term.substr(0, pos));
      r.op = notin ? Req::kNotIn : Req::kIn;
      std::string rest = Trim(term.substr(pos + (notin ? 7 : 4)));
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
        return absl::InvalidArgumentError(absl::StrCat("invalid label selector: '", text, "'"));
      }
      for (absl::string_view v : absl::StrSplit(rest.substr(1, rest.size() - 2), ',')) {
        r.values.push_back(Trim(std::string(v)));
      }
    } else {
      r.key = term;
      r.op = Req::kExists;
    }
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

bool LabelSelector::Matches(const Value* labels) const {
  for (const Req& r : reqs_) {
    const Value* v = labels != nullptr && labels->is_object() && labels->contains(r.key) ? &(*labels)[r.key] : nullptr;
    std::string s = v == nullptr ? "" : (v->is_string() ? v->get<std::string>() : v->dump());
    bool has = v != nullptr;
    bool in = false;
    for (const std::string& x : r.values) in = in || (has && s == x);
    switch (r.op) {
      case Req::kEq:
      case Req::kIn:
        if (!in) return false;
        break;
      case Req::kNotEq:
      case Req::kNotIn:
        if (in) return false;
        break;
      case Req::kExists:
        if (!has) return false;
        break;
      case Req::kNotExists:
        if (has) return false;
        break;
    }
  }
  return true;
}

struct Selector::Impl {
  std::unique_ptr<RE2> group, version, kind, name, ns;
  LabelSelector labels, annotations;
};

absl::StatusOr<Selector> Selector::Create(const Value& s) {
  auto impl = std::make_shared<Impl>();
  auto compile = [&s](const char* key, std::unique_ptr<RE2>& out) -> absl::Status {
    std::string v = object::GetString(s, {key});
    if (v.empty()) return absl::OkStatus();
    out = std::make_unique<RE2>(absl::StrCat("^(?:", v, ")$"));
    if (!out->ok()) return absl::InvalidArgumentError(absl::StrCat("invalid regex '", v, "' in selector ", key));
    return absl::OkStatus();
  };
  FLUX_RETURN_IF_ERROR(compile("group", impl->group));
  FLUX_RETURN_IF_ERROR(compile("version", impl->version));
  FLUX_RETURN_IF_ERROR(compile("kind", impl->kind));
  FLUX_RETURN_IF_ERROR(compile("name", impl->name));
  FLUX_RETURN_IF_ERROR(compile("namespace", impl->ns));
  FLUX_ASSIGN_OR_RETURN(impl->labels, LabelSelector::Parse(object::GetString(s, {"labelSelector"})));
  FLUX_ASSIGN_OR_RETURN(impl->annotations, LabelSelector::Parse(object::GetString(s, {"annotationSelector"})));
  Selector sel;
  sel.impl_ = impl;
  sel.text_ = s.dump();
  return sel;
}

absl::StatusOr<std::vector<size_t>> Selector::Select(const ResMap& m) const {
  std::vector<size_t> out;
  auto effective_ns = [](const ResId& id) -> std::string {
    if (!IsNamespaceableKind(id.kind)) return "_non_namespaceable_";
    return id.ns.empty() ? "default" : id.ns;
  };
  auto match = [](const std::unique_ptr<RE2>& re, const std::string& v) { return re == nullptr || RE2::FullMatch(v, *re); };
  for (size_t i = 0; i < m.size(); ++i) {
    ResId cur = m[i].CurId();
    ResId org = m[i].OrigId();
    if (!match(impl_->ns, effective_ns(org)) && !match(impl_->ns, effective_ns(cur))) continue;
    if (!match(impl_->name, org.name) && !match(impl_->name, cur.name)) continue;
    if (!match(impl_->group, cur.group) || !match(impl_->version, cur.version) || !match(impl_->kind, cur.kind)) continue;
    if (!impl_->labels.Matches(object::Find(m[i].obj, {"metadata", "labels"}))) continue;
    if (!impl_->annotations.Matches(object::Find(m[i].obj, {"metadata", "annotations"}))) continue;
    out.push_back(i);
  }
  return out;
}

}  // namespace fluxcpp::kustomize
