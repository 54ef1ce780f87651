#include "libs/apimachinery/schema_validation.h"

#include <cmath>
#include <regex>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace fluxcpp::apimachinery {
namespace {

using object::Value;

std::string Join(const std::string& base, const std::string& key) {
  return base.empty() ? key : absl::StrCat(base, ".", key);
}

std::string TypeName(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null: return "null";
    case Value::value_t::boolean: return "boolean";
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned: return "integer";
    case Value::value_t::number_float: return "number";
    case Value::value_t::string: return "string";
    case Value::value_t::array: return "array";
    default: return "object";
  }
}

std::string NumberString(const Value& v) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return absl::StrCat(static_cast<int64_t>(d));
    return absl::StrCat(d);
  }
  return v.dump();
}

double AsDouble(const Value& v) { return v.get<double>(); }

bool TypeMatches(const std::string& type, const Value& v) {
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer() || v.is_number_unsigned() ||
                                (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  return true;
}

bool ValidFormat(const std::string& format, const std::string& s) {
  if (format == "date-time") {
    absl::Time t;
    std::string err;
    return absl::ParseTime(absl::RFC3339_full, s, &t, &err);
  }
  if (format == "date") {
    static const std::regex re("^\\d{4}-\\d{2}-\\d{2}$");
    return std::regex_match(s, re);
  }
  if (format == "byte") {
    std::string out;
    return absl::Base64Unescape(s, &out);
  }
  if (format == "uuid") {
    static const std::regex re("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    return std::regex_match(s, re);
  }
  if (format == "ipv4") {
    static const std::regex re("^((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)$");
    return std::regex_match(s, re);
  }
  return true;  // unknown formats are not enforced (as kube-openapi does)
}

class Validator {
 public:
  std::vector<SchemaError> errors;

  void Add(std::string type, const std::string& path, std::string message) {
    errors.push_back({std::move(type), path, std::move(message)});
  }
  void Invalid(const std::string& path, const Value& v, absl::string_view why) {
    Add("FieldValueInvalid", path, absl::StrCat("Invalid value: ", FieldValueString(v), ": ", why));
  }

  void Validate(const Value& v, const Value& schema, const std::string& path, bool root) {
    if (!schema.is_object()) return;
    const std::string in_body = absl::StrCat(path.empty() ? "body" : path, " in body");
    if (v.is_null()) {
      if (schema.value("nullable", false)) return;
      if (schema.contains("type") && !schema.value("x-kubernetes-preserve-unknown-fields", false)) {
        std::string type = schema["type"].is_string() ? schema["type"].get<std::string>() : "";
        Add("FieldValueTypeInvalid", path,
            absl::StrCat("Invalid value: \"null\": ", in_body, " must be of type ", type, ": \"null\""));
      }
      return;
    }
    bool int_or_string = schema.value("x-kubernetes-int-or-string", false);
    if (int_or_string) {
      if (!v.is_string() && !TypeMatches("integer", v)) {
        Add("FieldValueTypeInvalid", path,
            absl::StrCat("Invalid value: \"", TypeName(v), "\": ", in_body,
                         " must be of type integer,string: \"", TypeName(v), "\""));
        return;
      }
    } else if (auto t = schema.find("type"); t != schema.end() && t->is_string()) {
      if (!TypeMatches(t->get<std::string>(), v)) {
        Add("FieldValueTypeInvalid", path,
            absl::StrCat("Invalid value: \"", TypeName(v), "\": ", in_body, " must be of type ",
                         t->get<std::string>(), ": \"", TypeName(v), "\""));
        return;
      }
    }
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      bool found = false;
      for (const Value& option : *e) found = found || option == v;
      if (!found) {
        std::vector<std::string> options;
        for (const Value& option : *e) options.push_back(FieldValueString(option));
        Add("FieldValueNotSupported", path,
            absl::StrCat("Unsupported value: ", FieldValueString(v), ": supported values: ",
                         absl::StrJoin(options, ", ")));
      }
    }
    if (v.is_string()) ValidateString(v, schema, path, in_body);
    if (v.is_number()) ValidateNumber(v, schema, path, in_body);
    if (v.is_array()) ValidateArray(v, schema, path, in_body);
    if (v.is_object()) ValidateObject(v, schema, path, in_body, root);
    ValidateCombinators(v, schema, path, in_body, root);
  }

 private:
  void ValidateString(const Value& v, const Value& schema, const std::string& path, const std::string& in_body) {
    const std::string& s = v.get_ref<const std::string&>();
    if (auto m = schema.find("maxLength"); m != schema.end() && m->is_number()) {
      int64_t max = m->get<int64_t>();
      if (static_cast<int64_t>(s.size()) > max) {
        Add("FieldValueTooLong", path,
            absl::StrCat("Too long: may not be more than ", max, max == 1 ? " byte" : " bytes"));
      }
    }
    if (auto m = schema.find("minLength"); m != schema.end() && m->is_number()) {
      int64_t min = m->get<int64_t>();
      if (static_cast<int64_t>(s.size()) < min) {
        Invalid(path, v, absl::StrCat(in_body, " should be at least ", min, " chars long"));
      }
    }
    if (auto p = schema.find("pattern"); p != schema.end() && p->is_string()) {
      const std::string& pattern = p->get_ref<const std::string&>();
      try {
        std::regex re(pattern, std::regex::ECMAScript);
        if (!std::regex_search(s, re)) Invalid(path, v, absl::StrCat(in_body, " should match '", pattern, "'"));
      } catch (const std::regex_error&) {
        // A pattern std::regex cannot compile is not enforced.
      }
    }
    if (auto f = schema.find("format"); f != schema.end() && f->is_string()) {
      const std::string& format = f->get_ref<const std::string&>();
      if (!ValidFormat(format, s)) {
        Add("FieldValueTypeInvalid", path,
            absl::StrCat("Invalid value: ", FieldValueString(v), ": ", in_body, " must be of type ", format, ": ",
                         FieldValueString(v)));
      }
    }
  }

  void ValidateNumber(const Value& v, const Value& schema, const std::string& path, const std::string& in_body) {
    double d = AsDouble(v);
    if (auto m = schema.find("minimum"); m != schema.end() && m->is_number()) {
      bool exclusive = schema.value("exclusiveMinimum", false);
      if (exclusive ? d <= AsDouble(*m) : d < AsDouble(*m)) {
        Invalid(path, v, absl::StrCat(in_body, " should be greater than ", exclusive ? "" : "or equal to ",
                                      NumberString(*m)));
      }
    }
    if (auto m = schema.find("maximum"); m != schema.end() && m->is_number()) {
      bool exclusive = schema.value("exclusiveMaximum", false);
      if (exclusive ? d >= AsDouble(*m) : d > AsDouble(*m)) {
        Invalid(path, v, absl::StrCat(in_body, " should be less than ", exclusive ? "" : "or equal to ",
                                      NumberString(*m)));
      }
    }
    if (auto m = schema.find("multipleOf"); m != schema.end() && m->is_number() && AsDouble(*m) != 0) {
      double q = d / AsDouble(*m);
      if (std::fabs(q - std::round(q)) > 1e-9) {
        Invalid(path, v, absl::StrCat(in_body, " should be a multiple of ", NumberString(*m)));
      }
    }
    if (auto f = schema.find("format"); f != schema.end() && f->is_string() && !v.is_number_float()) {
      if (*f == "int32" && (d > 2147483647.0 || d < -2147483648.0)) {
        Invalid(path, v, absl::StrCat(in_body, " must be of type int32"));
      }
    }
  }

  void ValidateArray(const Value& v, const Value& schema, const std::string& path, const std::string& in_body) {
    if (auto m = schema.find("maxItems"); m != schema.end() && m->is_number()) {
      int64_t max = m->get<int64_t>();
      if (static_cast<int64_t>(v.size()) > max) {
        Add("FieldValueTooMany", path, absl::StrCat("Too many: ", v.size(), ": must have at most ", max, " items"));
      }
    }
    if (auto m = schema.find("minItems"); m != schema.end() && m->is_number()) {
      int64_t min = m->get<int64_t>();
      if (static_cast<int64_t>(v.size()) < min) {
        Invalid(path, Value(static_cast<int64_t>(v.size())),
                absl::StrCat(in_body, " should have at least ", min, " items"));
      }
    }
    std::string list_type = schema.value("x-kubernetes-list-type", "");
    if (schema.value("uniqueItems", false) || list_type == "set") {
      std::set<std::string> seen;
      for (size_t i = 0; i < v.size(); ++i) {
        if (!seen.insert(v[i].dump()).second) {
          Add("FieldValueDuplicate", absl::StrCat(path, "[", i, "]"),
              absl::StrCat("Duplicate value: ", FieldValueString(v[i])));
        }
      }
    }
    if (list_type == "map") {
      std::vector<std::string> keys;
      if (auto k = schema.find("x-kubernetes-list-map-keys"); k != schema.end() && k->is_array()) {
        for (const Value& key : *k) {
          if (key.is_string()) keys.push_back(key.get<std::string>());
        }
      }
      std::set<std::string> seen;
      for (size_t i = 0; i < v.size() && !keys.empty(); ++i) {
        if (!v[i].is_object()) continue;
        Value id = Value::object();
        for (const std::string& key : keys) id[key] = v[i].contains(key) ? v[i][key] : Value();
        if (!seen.insert(id.dump()).second) {
          Add("FieldValueDuplicate", absl::StrCat(path, "[", i, "]"),
              absl::StrCat("Duplicate value: ", object::ToJson(id)));
        }
      }
    }
    if (auto items = schema.find("items"); items != schema.end() && items->is_object()) {
      for (size_t i = 0; i < v.size(); ++i) Validate(v[i], *items, absl::StrCat(path, "[", i, "]"), false);
    }
  }

  void ValidateObject(const Value& v, const Value& schema, const std::string& path, const std::string& in_body,
                      bool root) {
    if (auto r = schema.find("required"); r != schema.end() && r->is_array()) {
      for (const Value& name : *r) {
        if (!name.is_string()) continue;
        auto it = v.find(name.get<std::string>());
        if (it == v.end() || (it->is_null() && !root)) Add("FieldValueRequired", Join(path, name), "Required value");
      }
    }
    if (auto m = schema.find("maxProperties"); m != schema.end() && m->is_number()) {
      int64_t max = m->get<int64_t>();
      if (static_cast<int64_t>(v.size()) > max) {
        Add("FieldValueTooMany", path, absl::StrCat("Too many: ", v.size(), ": must have at most ", max, " items"));
      }
    }
    if (auto m = schema.find("minProperties"); m != schema.end() && m->is_number()) {
      int64_t min = m->get<int64_t>();
      if (static_cast<int64_t>(v.size()) < min) {
        Invalid(path, Value(static_cast<int64_t>(v.size())),
                absl::StrCat(in_body, " should have at least ", min, " properties"));
      }
    }
    const Value* props = nullptr;
    if (auto it = schema.find("properties"); it != schema.end() && it->is_object()) props = &*it;
    const Value* additional = nullptr;
    if (auto it = schema.find("additionalProperties"); it != schema.end() && it->is_object()) additional = &*it;
    bool embedded = root || schema.value("x-kubernetes-embedded-resource", false);
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (embedded && it.key() == "metadata") continue;
      if (props != nullptr) {
        if (auto p = props->find(it.key()); p != props->end()) {
          Validate(it.value(), *p, Join(path, it.key()), false);
          continue;
        }
      }
      if (additional != nullptr) Validate(it.value(), *additional, Join(path, it.key()), false);
    }
  }

  // Runs `schema` on `v` in a scratch validator; true when it passes.
  bool Passes(const Value& v, const Value& schema, const std::string& path, bool root) {
    Validator sub;
    sub.Validate(v, schema, path, root);
    return sub.errors.empty();
  }

  void ValidateCombinators(const Value& v, const Value& schema, const std::string& path, const std::string& in_body,
                           bool root) {
    if (auto all = schema.find("allOf"); all != schema.end() && all->is_array()) {
      for (const Value& s : *all) Validate(v, s, path, root);
    }
    if (auto any = schema.find("anyOf"); any != schema.end() && any->is_array() && !any->empty()) {
      bool ok = false;
      for (const Value& s : *any) ok = ok || Passes(v, s, path, root);
      if (!ok) {
        Invalid(path, v, absl::StrCat(in_body, " must validate at least one schema (anyOf)"));
      }
    }
    if (auto one = schema.find("oneOf"); one != schema.end() && one->is_array() && !one->empty()) {
      int passing = 0;
      for (const Value& s : *one) passing += Passes(v, s, path, root) ? 1 : 0;
      if (passing != 1) Invalid(path, v, absl::StrCat(in_body, " must validate one and only one schema (oneOf)"));
    }
    if (auto n = schema.find("not"); n != schema.end() && n->is_object()) {
      if (Passes(v, *n, path, root)) Invalid(path, v, absl::StrCat(in_body, " must not validate the schema (not)"));
    }
  }
};

}  // namespace

std::string FieldValueString(const Value& v) {
  if (v.is_string()) return object::ToJson(v);
  if (v.is_null()) return "null";
  if (v.is_number()) return NumberString(v);
  return object::ToJson(v);
}

std::vector<SchemaError> ValidateAgainstSchema(const Value& obj, const Value& schema) {
  Validator validator;
  validator.Validate(obj, schema, "", true);
  return std::move(validator.errors);
}

}  // namespace fluxcpp::apimachinery
