#include "libs/kustomize/vars.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"
#include "libs/kustomize/yaml_scalar.h"

namespace fluxcpp::kustomize {

using object::Value;

namespace {

std::string VarName(const Value& v) { return object::GetString(v, {"name"}); }

std::string VarString(const Value& v) {
  return absl::StrCat("{", VarName(v), " ", object::GetString(v, {"objref", "kind"}), " ",
                      object::GetString(v, {"objref", "name"}), "}");
}

std::string Format(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return FormatGoFloat(v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "<nil>";
  return v.dump();
}

// kustomize's DoReplacements: returns a string, or the typed value when the
// input is exactly one reference.
Value Expand(const std::string& input, const std::map<std::string, Value>& vars) {
  std::string buf;
  size_t checkpoint = 0;
  for (size_t cursor = 0; cursor < input.size(); ++cursor) {
    if (input[cursor] != '$' || cursor + 1 >= input.size()) continue;
    buf += input.substr(checkpoint, cursor - checkpoint);
    std::string rest = input.substr(cursor + 1);
    size_t advance = 1;
    if (rest[0] == '$') {
      buf += "$";
    } else if (rest[0] == '(') {
      size_t close = rest.find(')', 1);
      if (close == std::string::npos) {
        buf += "$(";
      } else {
        std::string name = rest.substr(1, close - 1);
        advance = close + 1;
        auto it = vars.find(name);
        Value mapped = it == vars.end() ? Value("$(" + name + ")") : it->second;
        if (input == "$(" + name + ")") return mapped;
        buf += Format(mapped);
      }
    } else {
      buf += "$";
      buf.push_back(rest[0]);
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  if (checkpoint < input.size()) buf += input.substr(checkpoint);
  return buf;
}

void ReplaceIn(Value& node, const std::map<std::string, Value>& vars) {
  if (node.is_string()) {
    node = Expand(node.get<std::string>(), vars);
  } else if (node.is_object()) {
    for (auto& [k, v] : node.items()) {
      if (v.is_string()) v = Expand(v.get<std::string>(), vars);
    }
  } else if (node.is_array()) {
    for (Value& v : node) {
      if (v.is_string()) v = Expand(v.get<std::string>(), vars);
    }
  }
}

}  // namespace

const Value* FieldAtPath(const Value& obj, const std::string& path) {
  // Split at '.' outside brackets.
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  for (char c : path) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == '.' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
      continue;
    }
    cur.push_back(c);
  }
  parts.push_back(cur);
  const Value* node = &obj;
  for (std::string part : parts) {
    std::vector<std::string> steps;
    size_t br = part.find('[');
    if (br != std::string::npos && br > 0) {
      steps.push_back(part.substr(0, br));
      part = part.substr(br);
    }
    while (!part.empty() && part[0] == '[') {
      size_t close = part.find(']');
      if (close == std::string::npos) return nullptr;
      steps.push_back(part.substr(0, close + 1));
      part = part.substr(close + 1);
    }
    if (!part.empty()) steps.push_back(part);
    for (const std::string& step : steps) {
      if (step.size() >= 2 && step[0] == '[') {
        std::string inner = step.substr(1, step.size() - 2);
        if (!node->is_array()) return nullptr;
        size_t eq = inner.find('=');
        if (eq == std::string::npos) {
          size_t idx = std::strtoul(inner.c_str(), nullptr, 10);
          if (idx >= node->size()) return nullptr;
          node = &(*node)[idx];
        } else {
          std::string k = inner.substr(0, eq), v = inner.substr(eq + 1);
          const Value* found = nullptr;
          for (const Value& e : *node) {
            if (e.is_object() && e.contains(k) && Format(e[k]) == v) {
              found = &e;
              break;
            }
          }
          if (found == nullptr) return nullptr;
          node = found;
        }
      } else {
        if (!node->is_object()) return nullptr;
        auto it = node->find(step);
        if (it == node->end()) return nullptr;
        node = &*it;
      }
    }
  }
  return node;
}

absl::Status MergeVarSet(std::vector<Value>& vars, const std::vector<Value>& incoming) {
  for (const Value& v : incoming) {
    for (const Value& have : vars) {
      if (VarName(have) == VarName(v)) {
        return absl::AlreadyExistsError(absl::StrCat("var '", VarName(v), "' already encountered"));
      }
    }
    vars.push_back(v);
  }
  return absl::OkStatus();
}

absl::Status MergeVars(ResMap& m, std::vector<Value>& vars, const Value& incoming) {
  if (!incoming.is_array()) return absl::OkStatus();
  std::vector<Value> list;
  for (const Value& v : incoming) {
    ResId target;
    const Value* ref = object::Find(v, {"objref"});
    if (ref != nullptr) {
      std::string api = object::GetString(*ref, {"apiVersion"});
      target.group = object::GetString(*ref, {"group"});
      target.version = object::GetString(*ref, {"version"});
      if (!api.empty()) SplitApiVersion(api, &target.group, &target.version);
      target.kind = object::GetString(*ref, {"kind"});
      target.name = object::GetString(*ref, {"name"});
      target.ns = object::GetString(*ref, {"namespace"});
    }
    bool ns_aware = !target.ns.empty() || !IsNamespaceableKind(target.kind);
    std::vector<Resource*> matched;
    for (Resource& r : m) {
      std::vector<ResId> ids = r.prev_ids;
      ids.push_back(r.CurId());
      for (const ResId& id : ids) {
        bool eq = ns_aware ? id.Equals(target) : (id.GvkEquals(target) && id.name == target.name);
        if (eq) {
          matched.push_back(&r);
          break;
        }
      }
    }
    if (matched.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat("found ", matched.size(), " resId matches for var ", VarString(v),
                                                     " (unable to disambiguate)"));
    }
    if (matched.size() == 1) matched[0]->ref_var_names.push_back(VarName(v));
    list.push_back(v);
  }
  return MergeVarSet(vars, list);
}

absl::Status ResolveVars(ResMap& m, const std::vector<Value>& vars, const std::vector<FieldSpec>& var_reference) {
  std::map<std::string, Value> values;
  for (const Value& v : vars) {
    std::string path = object::GetString(v, {"fieldref", "fieldpath"});
    if (path.empty()) path = "metadata.name";
    bool found = false;
    for (const Resource& r : m) {
      for (const std::string& n : r.ref_var_names) {
        if (n != VarName(v)) continue;
        const Value* field = FieldAtPath(r.obj, path);
        if (field == nullptr) {
          return absl::NotFoundError(
              absl::StrCat("field specified in var '", VarString(v), "' not found in corresponding resource"));
        }
        values[VarName(v)] = *field;
        found = true;
        break;
      }
      if (found) break;
    }
    if (!found) {
      return absl::NotFoundError(
          absl::StrCat("var '", VarString(v), "' cannot be mapped to a field in the set of known resources"));
    }
  }
  if (values.empty()) return absl::OkStatus();
  for (Resource& r : m) {
    ResId id = r.CurId();
    for (const FieldSpec& fs : var_reference) {
      if (!fs.Selects(id)) continue;
      FieldSpec nocreate = fs;
      nocreate.create = false;
      FLUX_RETURN_IF_ERROR(ApplyFieldSpec(r.obj, nocreate, LeafKind::kNone, [&values](Value& node) {
        ReplaceIn(node, values);
        return absl::OkStatus();
      }));
    }
  }
  return absl::OkStatus();
}

}  // namespace fluxcpp::kustomize
