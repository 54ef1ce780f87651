#include "libs/apimachinery/cel_validation.h"

#include <cctype>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/cel/ast.h"
#include "libs/cel/cel.h"
#include "libs/cel/parser.h"
#include "libs/cel/time_util.h"

namespace fluxcpp::apimachinery {

using object::Value;

struct CelRule {
  std::string rule;
  std::string message;
  std::string reason;      // "" = FieldValueInvalid
  std::string field_path;  // normalized, without the leading '.'
  bool transition = false;
  bool optional_old_self = false;
  std::optional<cel::Program> program;             // unset: compile_error holds why
  std::optional<cel::Program> message_expression;  // compiled messageExpression
  std::string compile_error;                       // reported at the node on object writes
};

// One schema node with its compiled rules and the children that have rules.
struct CelNode {
  std::string type;  // the schema's "type" ("" for int-or-string / untyped), named in errors
  bool has_rules = false;  // here or below
  std::vector<CelRule> rules;
  std::map<std::string, std::unique_ptr<CelNode>> properties;
  std::unique_ptr<CelNode> items;
  std::unique_ptr<CelNode> additional;
  std::string list_type;
  std::vector<std::string> list_map_keys;
};

namespace {

// ---- compilation ---------------------------------------------------------------

// Whether `expr` names the identifier `name` outside string literals.
bool ReferencesIdentifier(const std::string& expr, const std::string& name) {
  for (size_t i = 0; i < expr.size();) {
    char c = expr[i];
    if (c == '"' || c == '\'') {
      bool triple = expr.compare(i, 3, std::string(3, c)) == 0;
      size_t j = i + (triple ? 3 : 1);
      while (j < expr.size()) {
        if (expr[j] == '\\') { j += 2; continue; }
        if (triple ? expr.compare(j, 3, std::string(3, c)) == 0 : expr[j] == c) break;
        ++j;
      }
      i = j + (triple ? 3 : 1);
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[j])) || expr[j] == '_')) ++j;
      bool member = i > 0 && expr[i - 1] == '.';
      if (!member && expr.compare(i, j - i, name) == 0 && j - i == name.size()) return true;
      i = j;
      continue;
    }
    ++i;
  }
  return false;
}

// Go's %q quoting for error messages (only '"', '\\' and control characters escaped).
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrCat("\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string RuleDescription(const Value& r) {
  auto str = [&](const char* k) { return r.contains(k) && r[k].is_string() ? r[k].get<std::string>() : ""; };
  std::string reason = r.contains("reason") && r["reason"].is_string()
                           ? absl::StrCat("(*apiextensions.FieldValueErrorReason)(", Quote(str("reason")), ")")
                           : "(*apiextensions.FieldValueErrorReason)(nil)";
  std::string optional_old = r.contains("optionalOldSelf") && r["optionalOldSelf"].is_boolean()
                                 ? absl::StrCat("(*bool)(", r["optionalOldSelf"].get<bool>() ? "true" : "false", ")")
                                 : "(*bool)(nil)";
  return absl::StrCat("apiextensions.ValidationRule{Rule:", Quote(str("rule")), ", Message:", Quote(str("message")),
                      ", MessageExpression:", Quote(str("messageExpression")), ", Reason:", reason,
                      ", FieldPath:", Quote(str("fieldPath")), ", OptionalOldSelf:", optional_old, "}");
}

// Normalizes a rule's fieldPath (".spec.foo", ".a['b.c']") to "spec.foo"; error when malformed.
absl::StatusOr<std::string> NormalizeFieldPath(const std::string& path) {
  if (path.empty()) return std::string();
  if (path[0] != '.' && path[0] != '[') return absl::InvalidArgumentError("must be a valid path");
  std::string out;
  for (size_t i = 0; i < path.size();) {
    if (path[i] == '.') {
      size_t j = i + 1;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      if (j == i + 1) return absl::InvalidArgumentError("must be a valid path");
      absl::StrAppend(&out, out.empty() ? "" : ".", path.substr(i + 1, j - i - 1));
      i = j;
    } else if (path[i] == '[') {
      size_t j = path.find(']', i);
      if (j == std::string::npos) return absl::InvalidArgumentError("must be a valid path");
      std::string key = path.substr(i + 1, j - i - 1);
      if (key.size() >= 2 && (key[0] == '\'' || key[0] == '"') && key.back() == key[0]) key = key.substr(1, key.size() - 2);
      absl::StrAppend(&out, "[", key, "]");
      i = j + 1;
    } else {
      return absl::InvalidArgumentError("must be a valid path");
    }
  }
  return out;
}

// Kube type-checks rules against the schema; this finds what that check
// is certain about: a field selected from `self` (or `oldSelf`) that an
// object schema without additionalProperties / preserve-unknown-fields
// does not declare. Returns the field name, or "".
// At the object root, apiVersion and kind are implicit and metadata exposes
// only name and generateName (as kube does).
std::string UndefinedField(const cel::Expr& e, const Value& schema, bool check_old_self, bool root) {
  if (e.type == cel::Expr::Type::kSelect) {
    std::vector<const std::string*> fields;
    const cel::Expr* cur = &e;
    while (cur->type == cel::Expr::Type::kSelect && cur->target) {
      fields.push_back(&cur->name);
      cur = cur->target.get();
    }
    if (cur->type == cel::Expr::Type::kIdent && !cur->leading_dot &&
        (cur->name == "self" || (check_old_self && cur->name == "oldSelf"))) {
      const Value* node = &schema;
      auto it = fields.rbegin();
      if (root && it != fields.rend() && (**it == "apiVersion" || **it == "kind")) node = nullptr;
      if (root && it != fields.rend() && **it == "metadata") {
        if (++it != fields.rend() && **it != "name" && **it != "generateName") return **it;
        node = nullptr;
      }
      for (; it != fields.rend() && node != nullptr && node->is_object(); ++it) {
        const Value* next = nullptr;
        if (auto props = node->find("properties"); props != node->end() && props->is_object()) {
          for (const auto& [k, v] : props->items()) {
            if (EscapeCelPropertyName(k) == **it) next = &v;
          }
          if (next == nullptr && !node->contains("additionalProperties") &&
              !node->value("x-kubernetes-preserve-unknown-fields", false) &&
              !node->value("x-kubernetes-embedded-resource", false)) {
            return **it;
          }
        } else if (auto add = node->find("additionalProperties"); add != node->end() && add->is_object()) {
          next = &*add;  // a map key: any name
        }
        node = next;
      }
    }
  }
  // A macro whose iteration variable is named self/oldSelf shadows them.
  if (e.type == cel::Expr::Type::kMacro && (e.name == "self" || e.name == "oldSelf")) {
    return e.target ? UndefinedField(*e.target, schema, check_old_self, root) : "";
  }
  if (e.target) {
    if (std::string f = UndefinedField(*e.target, schema, check_old_self, root); !f.empty()) return f;
  }
  for (const auto& a : e.args) {
    if (a == nullptr) continue;
    if (std::string f = UndefinedField(*a, schema, check_old_self, root); !f.empty()) return f;
  }
  return "";
}

struct Compiler {
  std::vector<SchemaError>* errors;
  size_t* count;

  void AddError(const std::string& path, const std::string& message) {
    errors->push_back({"FieldValueInvalid", path, message});
  }

  // `correlatable`: whether an old value can be found for this node.
  std::unique_ptr<CelNode> Build(const Value& s, const std::string& path, bool correlatable) {
    auto node = std::make_unique<CelNode>();
    if (!s.is_object()) return node;
    node->type = s.value("type", "");
    node->list_type = s.value("x-kubernetes-list-type", "");
    if (auto it = s.find("x-kubernetes-list-map-keys"); it != s.end() && it->is_array()) {
      for (const auto& k : *it)
        if (k.is_string()) node->list_map_keys.push_back(k.get<std::string>());
    }
    if (auto it = s.find("x-kubernetes-validations"); it != s.end() && it->is_array()) {
      for (size_t i = 0; i < it->size(); ++i) {
        node->rules.push_back(CompileRule((*it)[i], absl::StrCat(path, "x-kubernetes-validations[", i, "]"),
                                          correlatable, s));
      }
    }
    if (auto it = s.find("properties"); it != s.end() && it->is_object()) {
      for (const auto& [k, v] : it->items()) {
        auto child = Build(v, absl::StrCat(path, "properties[", k, "]."), correlatable);
        if (child->has_rules) node->properties[k] = std::move(child);
      }
    }
    if (auto it = s.find("items"); it != s.end() && it->is_object()) {
      auto child = Build(*it, absl::StrCat(path, "items."), correlatable && node->list_type == "map");
      if (child->has_rules) node->items = std::move(child);
    }
    if (auto it = s.find("additionalProperties"); it != s.end() && it->is_object()) {
      auto child = Build(*it, absl::StrCat(path, "additionalProperties."), correlatable);
      if (child->has_rules) node->additional = std::move(child);
    }
    node->has_rules = !node->rules.empty() || !node->properties.empty() || node->items || node->additional;
    return node;
  }

  CelRule CompileRule(const Value& r, const std::string& path, bool correlatable, const Value& schema) {
    ++*count;
    CelRule rule;
    if (!r.is_object()) {
      rule.compile_error = "must be an object";
      AddError(path, "Invalid value: " + FieldValueString(r) + ": must be an object");
      return rule;
    }
    rule.rule = r.value("rule", "");
    rule.message = r.value("message", "");
    rule.reason = r.value("reason", "");
    rule.optional_old_self = r.value("optionalOldSelf", false);
    rule.transition = ReferencesIdentifier(rule.rule, "oldSelf");
    std::string description = RuleDescription(r);
    auto fail = [&](const std::string& field, const std::string& why) {
      if (rule.compile_error.empty()) rule.compile_error = why;
      AddError(path + field, absl::StrCat("Invalid value: ", description, ": ", why));
    };
    static const std::set<std::string> kReasons = {"FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired",
                                                   "FieldValueDuplicate"};
    if (!rule.reason.empty() && !kReasons.count(rule.reason)) {
      errors->push_back({"FieldValueNotSupported", path + ".reason",
                         absl::StrCat("Unsupported value: ", Quote(rule.reason),
                                      ": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", "
                                      "\"FieldValueInvalid\", \"FieldValueRequired\"")});
      if (rule.compile_error.empty()) rule.compile_error = "unsupported reason";
    }
    if (auto fp = NormalizeFieldPath(r.value("fieldPath", "")); fp.ok()) {
      rule.field_path = *fp;
    } else {
      errors->push_back({"FieldValueInvalid", path + ".fieldPath",
                         absl::StrCat("Invalid value: ", Quote(r.value("fieldPath", "")), ": ", fp.status().message())});
    }
    if (rule.optional_old_self && !rule.transition) {
      fail(".optionalOldSelf", "may not be set when rule does not use oldSelf");
    }
    if (rule.transition && !correlatable) {
      fail(".rule", "oldSelf cannot be used on the uncorrelatable portion of the schema within items");
    }
    cel::CompileOptions opts;
    opts.kubernetes_library = true;
    opts.check = true;
    opts.declarations = {{"self", "dyn"}, {"oldSelf", rule.optional_old_self ? "optional_type" : "dyn"}};
    if (rule.rule.empty()) {
      fail(".rule", "rule must not be empty");
    } else if (auto p = cel::Compile(rule.rule, opts); p.ok()) {
      rule.program = std::move(*p);
      if (auto ast = cel::Parse(rule.rule, opts.parse); ast.ok()) {
        std::string field = UndefinedField(**ast, schema, !rule.optional_old_self, path.rfind("x-kubernetes", 0) == 0);
        if (!field.empty()) fail(".rule", absl::StrCat("compilation failed: undefined field '", field, "'"));
      }
    } else {
      fail(".rule", absl::StrCat("compilation failed: ", p.status().message()));
      rule.program.reset();
    }
    std::string message_expr = r.value("messageExpression", "");
    if (!message_expr.empty()) {
      if (auto p = cel::Compile(message_expr, opts); p.ok()) {
        rule.message_expression = std::move(*p);
      } else {
        fail(".messageExpression", absl::StrCat("messageExpression compilation failed: ", p.status().message()));
      }
    }
    if (!rule.compile_error.empty()) rule.program.reset();
    return rule;
  }
};

// ---- conversion --------------------------------------------------------------------

// A scalar by its schema: integer -> int, number -> double, string formats
// byte/duration/date/date-time -> bytes/duration/timestamp.
cel::Value ConvertScalar(const Value& v, const std::string& type, const std::string& format, bool int_or_string) {
  if (int_or_string || type == "integer") {
    if (v.is_number_integer()) return cel::Value::Int(v.get<int64_t>());
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (std::trunc(d) == d && std::fabs(d) < 9.2e18) return cel::Value::Int(static_cast<int64_t>(d));
      return cel::Value::Double(d);
    }
  }
  if (type == "number" && v.is_number()) return cel::Value::Double(v.get<double>());
  if (type == "string" && v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (format == "byte") {
      std::string out;
      if (absl::Base64Unescape(s, &out)) return cel::Value::Bytes(out);
    } else if (format == "duration") {
      if (auto d = cel::ParseDuration(s); d.ok()) return cel::Value::Duration(d->first, d->second);
    } else if (format == "date-time") {
      if (auto t = cel::ParseTimestamp(s); t.ok()) return cel::Value::Timestamp(t->first, t->second);
    } else if (format == "date") {
      if (auto t = cel::ParseTimestamp(s + "T00:00:00Z"); t.ok()) return cel::Value::Timestamp(t->first, t->second);
    }
  }
  return cel::FromJson(v, cel::NumberMode::kKubernetes);
}

// Root `metadata` as kube exposes it to rules: only name and generateName.
cel::Value RestrictedMetadata(const Value& meta) {
  auto map = std::make_shared<cel::MapValue>();
  if (meta.is_object()) {
    for (const char* k : {"name", "generateName"}) {
      if (auto it = meta.find(k); it != meta.end() && it->is_string()) {
        map->Insert(cel::Value::String(k), cel::Value::String(it->get<std::string>()));
      }
    }
  }
  return cel::Value::Map(std::move(map));
}

// Conversion needs the full schema (children without rules are not in the
// CelNode tree), so it walks the schema JSON itself.
struct SchemaConverter {
  static cel::Value Convert(const Value& v, const Value* s, bool root = false) {
    if (v.is_null()) return cel::Value::Null();
    if (s == nullptr || !s->is_object()) return cel::FromJson(v, cel::NumberMode::kKubernetes);
    if (v.is_object()) {
      auto map = std::make_shared<cel::MapValue>();
      const Value* props = s->contains("properties") ? &(*s)["properties"] : nullptr;
      const Value* additional = s->contains("additionalProperties") ? &(*s)["additionalProperties"] : nullptr;
      for (const auto& [k, child] : v.items()) {
        if (root && k == "metadata") {
          map->Insert(cel::Value::String(k), RestrictedMetadata(child));
        } else if (props != nullptr && props->contains(k)) {
          std::string name = EscapeCelPropertyName(k);
          if (!name.empty()) map->Insert(cel::Value::String(name), Convert(child, &(*props)[k]));
        } else if (additional != nullptr && additional->is_object()) {
          map->Insert(cel::Value::String(k), Convert(child, additional));
        } else {
          map->Insert(cel::Value::String(k), cel::FromJson(child, cel::NumberMode::kKubernetes));
        }
      }
      return cel::Value::Map(std::move(map));
    }
    if (v.is_array()) {
      const Value* items = s->contains("items") ? &(*s)["items"] : nullptr;
      cel::ListValue out;
      out.reserve(v.size());
      for (const auto& e : v) out.push_back(Convert(e, items));
      return cel::Value::List(std::move(out));
    }
    return ConvertScalar(v, s->value("type", ""), s->value("format", ""),
                         s->value("x-kubernetes-int-or-string", false));
  }
};

// ---- evaluation ------------------------------------------------------------------

struct Walker {
  std::vector<SchemaError>* errors;
  bool stopped = false;

  // kube validates from a nil root path: errors of root rules name "<nil>".
  void Add(const std::string& type, const std::string& field, const std::string& message) {
    errors->push_back({type, field.empty() ? "<nil>" : field, message});
  }

  void Error(const CelNode& node, const std::string& field, const std::string& detail, const std::string& reason) {
    std::string value = Quote(node.type);
    if (reason == "FieldValueForbidden") return Add(reason, field, absl::StrCat("Forbidden: ", detail));
    if (reason == "FieldValueRequired") return Add(reason, field, absl::StrCat("Required value: ", detail));
    if (reason == "FieldValueDuplicate") return Add(reason, field, absl::StrCat("Duplicate value: ", value));
    Add("FieldValueInvalid", field, absl::StrCat("Invalid value: ", value, ": ", detail));
  }

  static std::string DefaultMessage(const CelRule& r) {
    std::string m(absl::StripAsciiWhitespace(r.message));
    if (!m.empty()) return m;
    return absl::StrCat("failed rule: ", absl::StripAsciiWhitespace(r.rule));
  }
  static std::string RuleString(const CelRule& r) {
    std::string m(absl::StripAsciiWhitespace(r.message));
    return m.empty() ? std::string(absl::StripAsciiWhitespace(r.rule)) : m;
  }

  void RunRules(const CelNode& node, const Value& v, const Value* old, const Value& schema, const std::string& path,
                bool root) {
    if (node.rules.empty()) return;
    cel::Value self = SchemaConverter::Convert(v, &schema, root);
    std::optional<cel::Value> old_self;
    if (old != nullptr && !old->is_null()) old_self = SchemaConverter::Convert(*old, &schema, root);
    // Validation ratcheting (kube >= 1.30): rules without oldSelf are not
    // held against a value the update leaves unchanged.
    const bool unchanged = old != nullptr && *old == v;
    for (const CelRule& rule : node.rules) {
      if (stopped) return;
      if (unchanged && !rule.transition) continue;
      std::string field = path;
      if (!rule.field_path.empty()) {
        field = path.empty() ? rule.field_path
                             : (rule.field_path[0] == '[' ? path + rule.field_path : path + "." + rule.field_path);
      }
      if (!rule.program) {
        Add("FieldValueInvalid", path,
            absl::StrCat("Invalid value: ", Quote(node.type), ": rule compile error: ", rule.compile_error));
        continue;
      }
      cel::Activation act;
      act.Bind("self", self);
      if (rule.transition) {
        if (rule.optional_old_self) {
          act.Bind("oldSelf", old_self ? cel::Value::OptionalOf(*old_self) : cel::Value::OptionalNone());
        } else if (!old_self) {
          continue;  // transition rules run only on update with an old value
        } else {
          act.Bind("oldSelf", *old_self);
        }
      }
      absl::StatusOr<cel::Value> result = rule.program->Evaluate(act);
      if (!result.ok()) {
        if (result.status().code() == absl::StatusCode::kResourceExhausted) {
          Add("FieldValueInvalid", field,
              absl::StrCat("Invalid value: ", Quote(node.type),
                           ": 'operation cancelled: actual cost limit exceeded': no further validation rules will "
                           "be run due to call cost exceeds limit for rule: ",
                           RuleString(rule)));
          stopped = true;
          return;
        }
        std::string msg(result.status().message());
        if (msg.rfind("no matching overload", 0) == 0) {
          Add("FieldValueInvalid", field,
              absl::StrCat("Invalid value: ", Quote(node.type), ": '", msg,
                           "': call arguments did not match a supported operator, function or macro signature for "
                           "rule: ",
                           RuleString(rule)));
        } else {
          Add("FieldValueInvalid", field,
              absl::StrCat("Invalid value: ", Quote(node.type), ": ", msg, " evaluating rule: ", RuleString(rule)));
        }
        continue;
      }
      if (result->kind() != cel::Kind::kBool) {
        Add("FieldValueInvalid", field,
            absl::StrCat("Invalid value: ", Quote(node.type), ": rule result is of type '", result->TypeName(),
                         "', expected 'bool': ", RuleString(rule)));
        continue;
      }
      if (result->bool_value()) continue;
      std::string detail = DefaultMessage(rule);
      if (rule.message_expression) {
        absl::StatusOr<cel::Value> m = rule.message_expression->Evaluate(act);
        // kube falls back to the static message when the expression fails,
        // is not a string, is blank or spans several lines.
        if (m.ok() && m->kind() == cel::Kind::kString) {
          std::string s(absl::StripAsciiWhitespace(m->str()));
          if (!s.empty() && s.find('\n') == std::string::npos) detail = s;
        }
      }
      Error(node, field, detail, rule.reason);
    }
  }

  static const Value* Child(const Value* obj, const std::string& key) {
    if (obj == nullptr || !obj->is_object()) return nullptr;
    auto it = obj->find(key);
    return it == obj->end() ? nullptr : &*it;
  }

  // An item's list-map key values, serialized ("" when not an object).
  static std::string ListMapKey(const CelNode& node, const Value& item) {
    if (!item.is_object()) return "";
    std::string key = "k";
    for (const auto& k : node.list_map_keys) {
      const Value* v = Child(&item, k);
      key += v == nullptr ? "\x01" : v->dump();
      key += '\0';
    }
    return key;
  }

  void Walk(const CelNode& node, const Value& v, const Value* old, const Value& schema, const std::string& path,
            bool root) {
    if (stopped || v.is_null()) return;
    RunRules(node, v, old, schema, path, root);
    if (v.is_object()) {
      for (const auto& [k, child_node] : node.properties) {
        const Value* child = Child(&v, k);
        if (child == nullptr) continue;
        Walk(*child_node, *child, Child(old, k), schema["properties"][k], path.empty() ? k : path + "." + k, false);
      }
      if (node.additional) {
        const Value* props = schema.contains("properties") ? &schema["properties"] : nullptr;
        for (const auto& [k, child] : v.items()) {
          if (props != nullptr && props->contains(k)) continue;
          Walk(*node.additional, child, Child(old, k), schema["additionalProperties"], absl::StrCat(path, "[", k, "]"),
               false);
        }
      }
    } else if (v.is_array() && node.items) {
      // listType=map items correlate with the old item of the same keys.
      std::unordered_map<std::string, const Value*> old_items;
      if (node.list_type == "map" && !node.list_map_keys.empty() && old != nullptr && old->is_array()) {
        for (const auto& o : *old) {
          if (std::string k = ListMapKey(node, o); !k.empty()) old_items.emplace(std::move(k), &o);
        }
      }
      for (size_t i = 0; i < v.size(); ++i) {
        const Value* old_item = nullptr;
        if (!old_items.empty()) {
          auto it = old_items.find(ListMapKey(node, v[i]));
          if (it != old_items.end()) old_item = it->second;
        }
        Walk(*node.items, v[i], old_item, schema["items"], absl::StrCat(path, "[", i, "]"), false);
      }
    }
  }
};

}  // namespace

CelValidator::~CelValidator() = default;

std::shared_ptr<const CelValidator> CelValidator::Compile(const Value& schema) {
  std::shared_ptr<CelValidator> v(new CelValidator());
  Compiler c{&v->compile_errors_, &v->rule_count_};
  v->root_ = c.Build(schema, "", true);
  v->schema_ = schema;
  return v;
}

std::vector<SchemaError> CelValidator::Validate(const Value& obj, const Value* old) const {
  std::vector<SchemaError> errors;
  if (!root_ || !root_->has_rules) return errors;
  Walker w{&errors};
  w.Walk(*root_, obj, old, schema_, "", true);
  return errors;
}

std::shared_ptr<const CelValidator> CachedCelValidator(const std::shared_ptr<const Value>& schema) {
  if (schema == nullptr) return nullptr;
  struct Entry {
    std::weak_ptr<const Value> schema;
    std::shared_ptr<const CelValidator> validator;
  };
  static std::mutex mu;
  static std::map<const Value*, Entry> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(schema.get());
    if (it != cache.end() && it->second.schema.lock() == schema) return it->second.validator;
  }
  std::shared_ptr<const CelValidator> compiled = CelValidator::Compile(*schema);
  if (compiled->rule_count() == 0) compiled = nullptr;
  std::lock_guard<std::mutex> lock(mu);
  for (auto it = cache.begin(); it != cache.end();) {  // drop entries of CRD versions that are gone
    it = it->second.schema.expired() ? cache.erase(it) : std::next(it);
  }
  cache[schema.get()] = Entry{schema, compiled};
  return compiled;
}

void AppendCelValidationErrors(const std::shared_ptr<const Value>& schema, const Value& obj, const Value* old,
                               std::vector<SchemaError>& errors) {
  std::shared_ptr<const CelValidator> v = CachedCelValidator(schema);
  if (v == nullptr) return;
  for (const auto& e : errors) {
    if (e.type == "FieldValueTypeInvalid") {
      errors.push_back({"FieldValueInvalid", "<nil>",
                        "Invalid value: \"null\": some validation rules were not checked because the object was "
                        "invalid; correct the existing errors to complete validation"});
      return;
    }
  }
  for (auto& e : v->Validate(obj, old)) errors.push_back(std::move(e));
}

std::vector<SchemaError> ValidateCrdCelRules(const Value& crd) {
  std::vector<SchemaError> out;
  const Value* versions = object::Find(crd, {"spec", "versions"});
  if (versions == nullptr || !versions->is_array()) return out;
  for (size_t i = 0; i < versions->size(); ++i) {
    const Value* schema = object::Find((*versions)[i], {"schema", "openAPIV3Schema"});
    if (schema == nullptr) continue;
    auto v = CelValidator::Compile(*schema);
    std::string prefix = absl::StrCat("spec.versions[", i, "].schema.openAPIV3Schema.");
    for (const auto& e : v->compile_errors()) out.push_back({e.type, prefix + e.field, e.message});
  }
  return out;
}

std::string EscapeCelPropertyName(const std::string& name) {
  static const std::set<std::string> kReserved = {
      "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function",
      "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"};
  if (kReserved.count(name)) return "__" + name + "__";
  if (name.empty()) return "";
  auto first_ok = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '/'; };
  auto rest_ok = [&](char c) { return first_ok(c) || std::isdigit(static_cast<unsigned char>(c)); };
  if (!first_ok(name[0])) return "";
  for (char c : name)
    if (!rest_ok(c)) return "";
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name.compare(i, 2, "__") == 0) {
      out += "__underscores__";
      ++i;
    } else if (name[i] == '.') {
      out += "__dot__";
    } else if (name[i] == '-') {
      out += "__dash__";
    } else if (name[i] == '/') {
      out += "__slash__";
    } else {
      out += name[i];
    }
  }
  return out;
}

}  // namespace fluxcpp::apimachinery
