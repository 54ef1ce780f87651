#include "tools/dev-apiserver/builtin_schemas.h"

#include <set>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

constexpr const char* kSchemaText =
#include "tools/dev-apiserver/builtin_schemas.inc"
    ;

constexpr const char* kRefPrefix = "#/components/schemas/";

struct Table {
  std::map<std::string, Value> definitions;
  std::map<std::string, std::string> kinds;  // "group/version/Kind" -> definition name
};

struct RawField {
  std::string name;
  std::string type;
  std::vector<std::string> flags;
  std::string description;
  int line = 0;
};

struct RawType {
  std::string full_name;
  std::string gvk;  // "group/version/Kind" when served
  bool open = false;
  bool atomic = false;
  std::string description;
  std::vector<RawField> fields;
};

[[noreturn]] void Fail(int line, const std::string& what) {
  throw std::logic_error(absl::StrCat("builtin_schemas.inc line ", line, ": ", what));
}

// Splits "text | description".
std::pair<std::string, std::string> SplitDescription(absl::string_view line) {
  size_t bar = line.find(" | ");
  if (bar == absl::string_view::npos) return {std::string(absl::StripAsciiWhitespace(line)), ""};
  return {std::string(absl::StripAsciiWhitespace(line.substr(0, bar))),
          std::string(absl::StripAsciiWhitespace(line.substr(bar + 3)))};
}

Value TypeSchema(const std::string& type, const std::map<std::string, std::string>& short_names, int line) {
  if (absl::StartsWith(type, "[]")) {
    return {{"type", "array"}, {"items", TypeSchema(type.substr(2), short_names, line)}};
  }
  if (absl::StartsWith(type, "{}")) {
    return {{"type", "object"}, {"additionalProperties", TypeSchema(type.substr(2), short_names, line)}};
  }
  if (type == "string") return {{"type", "string"}};
  if (type == "int32") return {{"type", "integer"}, {"format", "int32"}};
  if (type == "int64") return {{"type", "integer"}, {"format", "int64"}};
  if (type == "number") return {{"type", "number"}, {"format", "double"}};
  if (type == "boolean") return {{"type", "boolean"}};
  if (type == "time") return {{"type", "string"}, {"format", "date-time"}};
  if (type == "byte") return {{"type", "string"}, {"format", "byte"}};
  if (type == "quantity" || type == "intstr") {
    return {{"x-kubernetes-int-or-string", true},
            {"anyOf", Value::array({{{"type", "integer"}}, {{"type", "string"}}})}};
  }
  if (type == "object") return {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  auto it = short_names.find(type);
  if (it == short_names.end()) Fail(line, absl::StrCat("unknown type \"", type, "\""));
  return {{"$ref", absl::StrCat(kRefPrefix, it->second)}};
}

Value FieldSchema(const RawField& f, const std::map<std::string, std::string>& short_names) {
  Value s = TypeSchema(f.type, short_names, f.line);
  for (const std::string& flag : f.flags) {
    if (flag == "req") continue;
    if (flag == "atomic") {
      s["x-kubernetes-list-type"] = "atomic";
    } else if (flag == "set") {
      s["x-kubernetes-list-type"] = "set";
      s["x-kubernetes-patch-strategy"] = "merge";
    } else if (absl::StartsWith(flag, "map:")) {
      std::vector<std::string> keys = absl::StrSplit(flag.substr(4), ',');
      s["x-kubernetes-list-type"] = "map";
      s["x-kubernetes-list-map-keys"] = keys;
      s["x-kubernetes-patch-merge-key"] = keys.front();
      s["x-kubernetes-patch-strategy"] = "merge";
    } else if (absl::StartsWith(flag, "default:")) {
      s["default"] = Value::parse(flag.substr(8));
    } else if (absl::StartsWith(flag, "enum:")) {
      std::vector<std::string> values = absl::StrSplit(flag.substr(5), ',');
      s["enum"] = values;
    } else {
      Fail(f.line, absl::StrCat("unknown flag \"", flag, "\""));
    }
  }
  if (!f.description.empty()) {
    if (s.contains("$ref")) {
      // OpenAPI 3.0 ignores siblings of $ref; kube wraps references in allOf.
      s = {{"allOf", Value::array({s})}, {"description", f.description}};
    } else {
      s["description"] = f.description;
    }
  }
  return s;
}

Table Build() {
  std::vector<RawType> types;
  std::map<std::string, std::string> short_names;
  std::string pkg;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(kSchemaText, '\n')) {
    ++line_no;
    absl::string_view line = absl::StripTrailingAsciiWhitespace(raw);
    if (line.empty() || absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "#")) continue;
    if (absl::StartsWith(line, "pkg ")) {
      pkg = std::string(line.substr(4));
      continue;
    }
    auto [text, description] = SplitDescription(line);
    std::vector<std::string> words = absl::StrSplit(text, ' ', absl::SkipEmpty());
    if (words.empty()) continue;
    if (!absl::StartsWith(line, " ")) {
      RawType t;
      t.description = description;
      std::string name = words[0];
      if (size_t at = name.find('@'); at != std::string::npos) {
        std::string gv = name.substr(at + 1);
        name = name.substr(0, at);
        if (absl::StartsWith(gv, "/")) gv = gv.substr(1);
        std::string group = gv.find('/') == std::string::npos ? "" : gv.substr(0, gv.find('/'));
        std::string version = gv.substr(gv.find('/') + 1);
        t.gvk = absl::StrCat(group, "/", version, "/", name);
      }
      for (size_t i = 1; i < words.size(); ++i) {
        if (words[i] == "open") {
          t.open = true;
        } else if (words[i] == "atomic") {
          t.atomic = true;
        } else {
          Fail(line_no, absl::StrCat("unknown type flag \"", words[i], "\""));
        }
      }
      if (pkg.empty()) Fail(line_no, "type before any pkg line");
      t.full_name = absl::StrCat(pkg, ".", name);
      if (!short_names.emplace(name, t.full_name).second) Fail(line_no, "duplicate type " + name);
      types.push_back(std::move(t));
      continue;
    }
    if (types.empty() || words.size() < 2) Fail(line_no, "field outside a type or without a type");
    RawField f{words[0], words[1], {words.begin() + 2, words.end()}, description, line_no};
    types.back().fields.push_back(std::move(f));
  }
  Table table;
  for (const RawType& t : types) {
    Value props = Value::object();
    Value required = Value::array();
    for (const RawField& f : t.fields) {
      props[f.name] = FieldSchema(f, short_names);
      for (const std::string& flag : f.flags) {
        if (flag == "req") required.push_back(f.name);
      }
    }
    Value s = {{"type", "object"}};
    if (!t.description.empty()) s["description"] = t.description;
    s["properties"] = std::move(props);
    if (!required.empty()) s["required"] = std::move(required);
    if (t.open) s["x-kubernetes-preserve-unknown-fields"] = true;
    if (t.atomic) s["x-kubernetes-map-type"] = "atomic";
    if (!t.gvk.empty()) {
      std::vector<std::string> gvk = absl::StrSplit(t.gvk, '/');
      s["x-kubernetes-group-version-kind"] =
          Value::array({{{"group", gvk[0]}, {"kind", gvk[2]}, {"version", gvk[1]}}});
      table.kinds[t.gvk] = t.full_name;
    }
    table.definitions[t.full_name] = std::move(s);
  }
  return table;
}

const Table& GetTable() {
  static const Table* table = new Table(Build());
  return *table;
}

void CollectRefs(const Value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    if (auto it = v.find("$ref"); it != v.end() && it->is_string()) {
      std::string ref = it->get<std::string>();
      if (absl::StartsWith(ref, kRefPrefix)) out.push_back(ref.substr(std::string(kRefPrefix).size()));
    }
    for (const auto& child : v) CollectRefs(child, out);
  } else if (v.is_array()) {
    for (const auto& child : v) CollectRefs(child, out);
  }
}

Value Inline(const Value& v, int depth) {
  if (depth > 32) throw std::logic_error("builtin schemas: $ref cycle");
  if (v.is_array()) {
    Value out = Value::array();
    for (const auto& child : v) out.push_back(Inline(child, depth));
    return out;
  }
  if (!v.is_object()) return v;
  if (auto ref = v.find("$ref"); ref != v.end()) {
    std::string name = ref->get<std::string>().substr(std::string(kRefPrefix).size());
    return Inline(GetTable().definitions.at(name), depth + 1);
  }
  if (auto all = v.find("allOf"); all != v.end() && all->is_array() && all->size() == 1) {
    Value out = Inline((*all)[0], depth);
    if (auto d = v.find("description"); d != v.end()) out["description"] = *d;
    return out;
  }
  Value out = Value::object();
  for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = Inline(it.value(), depth);
  return out;
}

}  // namespace

const std::map<std::string, Value>& BuiltinSchemaDefinitions() { return GetTable().definitions; }

std::string BuiltinSchemaName(const std::string& group, const std::string& version, const std::string& kind) {
  const auto& kinds = GetTable().kinds;
  auto it = kinds.find(absl::StrCat(group, "/", version, "/", kind));
  return it == kinds.end() ? "" : it->second;
}

std::vector<std::string> BuiltinSchemaClosure(const std::vector<std::string>& roots) {
  std::set<std::string> seen;
  std::vector<std::string> queue = roots;
  while (!queue.empty()) {
    std::string name = queue.back();
    queue.pop_back();
    if (!seen.insert(name).second) continue;
    auto it = GetTable().definitions.find(name);
    if (it != GetTable().definitions.end()) CollectRefs(it->second, queue);
  }
  return {seen.begin(), seen.end()};
}

std::shared_ptr<const Value> InlinedBuiltinSchema(const std::string& group, const std::string& version,
                                                  const std::string& kind) {
  std::string name = BuiltinSchemaName(group, version, kind);
  if (name.empty()) return nullptr;
  // Built once per kind and shared by every registry.
  static absl::Mutex mu(absl::kConstInit);
  static auto* cache = new std::map<std::string, std::shared_ptr<const Value>>();
  absl::MutexLock lock(&mu);
  auto& slot = (*cache)[name];
  if (slot == nullptr) slot = std::make_shared<const Value>(Inline(GetTable().definitions.at(name), 0));
  return slot;
}

}  // namespace fluxcpp::devapiserver
