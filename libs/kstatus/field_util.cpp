#include "libs/kstatus/field_util.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fluxcpp::kstatus {
namespace {

// Go's %T for values decoded from JSON into interface{}.
std::string GoTypeName(const object::Value& v) {
  switch (v.type()) {
    case object::Value::value_t::null:
      return "<nil>";
    case object::Value::value_t::boolean:
      return "bool";
    case object::Value::value_t::number_integer:
    case object::Value::value_t::number_unsigned:
      return "int64";
    case object::Value::value_t::number_float:
      return "float64";
    case object::Value::value_t::string:
      return "string";
    case object::Value::value_t::array:
      return "[]interface {}";
    case object::Value::value_t::object:
      return "map[string]interface {}";
    default:
      return "unknown";
  }
}

// An approximation of Go's %v; exact for scalars.
std::string GoValueString(const object::Value& v) {
  if (v.is_null()) return "<nil>";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string JsonPath(std::initializer_list<std::string_view> path, size_t count) {
  std::string out;
  size_t i = 0;
  for (std::string_view p : path) {
    if (i++ == count) break;
    absl::StrAppend(&out, ".", std::string(p));
  }
  return out;
}

// NestedFieldNoCopy: nullptr + ok when not found.
absl::StatusOr<const object::Value*> NestedField(const object::Value& obj,
                                                 std::initializer_list<std::string_view> path) {
  const object::Value* cur = &obj;
  size_t i = 0;
  for (std::string_view field : path) {
    if (cur->is_null()) return nullptr;
    if (!cur->is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat(JsonPath(path, i + 1), " accessor error: ", GoValueString(*cur),
                       " is of the type ", GoTypeName(*cur), ", expected map[string]interface{}"));
    }
    auto it = cur->find(field);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    ++i;
  }
  return cur;
}

bool IsInteger(const object::Value& v) { return v.is_number_integer() || v.is_number_unsigned(); }

int64_t AsInt(const object::Value& v) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    return u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? std::numeric_limits<int64_t>::max()
               : static_cast<int64_t>(u);
  }
  return v.get<int64_t>();
}

const object::Value* DotPath(const object::Value& obj, std::string_view field_path) {
  if (!field_path.empty() && field_path.front() == '.') field_path.remove_prefix(1);
  const object::Value* cur = &obj;
  while (true) {
    size_t dot = field_path.find('.');
    std::string_view key = field_path.substr(0, dot);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string_view::npos) return cur;
    field_path.remove_prefix(dot + 1);
  }
}

absl::StatusOr<std::string> ConditionField(const object::Value& entry, const char* key) {
  auto it = entry.find(key);
  if (it == entry.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("unable to decode status.conditions: field '",
                                                   key, "' is of the type ", GoTypeName(*it),
                                                   ", expected string"));
  }
  return it->get<std::string>();
}

}  // namespace

int64_t GetIntField(const object::Value& obj, std::string_view field_path, int64_t fallback) {
  const object::Value* v = DotPath(obj, field_path);
  if (v == nullptr || !IsInteger(*v)) return fallback;
  return AsInt(*v);
}

std::string GetStringField(const object::Value& obj, std::string_view field_path,
                           std::string_view fallback) {
  const object::Value* v = DotPath(obj, field_path);
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return v->get<std::string>();
}

absl::StatusOr<std::vector<Condition>> ReadConditions(const object::Value& obj) {
  std::vector<Condition> out;
  if (!obj.is_object()) return out;
  auto status = obj.find("status");
  if (status == obj.end() || status->is_null()) return out;
  if (!status->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("unable to decode status: it is of the type ",
                                                   GoTypeName(*status), ", expected an object"));
  }
  auto conditions = status->find("conditions");
  if (conditions == status->end() || conditions->is_null()) return out;
  if (!conditions->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unable to decode status.conditions: it is of the type ",
                     GoTypeName(*conditions), ", expected a list"));
  }
  for (const object::Value& entry : *conditions) {
    if (entry.is_null()) {
      out.emplace_back();
      continue;
    }
    if (!entry.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unable to decode status.conditions: an entry is of the type ",
                       GoTypeName(entry), ", expected an object"));
    }
    Condition c;
    auto type = ConditionField(entry, "type");
    if (!type.ok()) return type.status();
    auto st = ConditionField(entry, "status");
    if (!st.ok()) return st.status();
    auto reason = ConditionField(entry, "reason");
    if (!reason.ok()) return reason.status();
    auto message = ConditionField(entry, "message");
    if (!message.ok()) return message.status();
    c.type = *std::move(type);
    c.status = *std::move(st);
    c.reason = *std::move(reason);
    c.message = *std::move(message);
    out.push_back(std::move(c));
  }
  return out;
}

const Condition* FindCondition(const std::vector<Condition>& conditions, std::string_view type,
                               std::string_view status) {
  for (const Condition& c : conditions) {
    if (c.type == type && c.status == status) return &c;
  }
  return nullptr;
}

absl::StatusOr<NestedInt> NestedInt64(const object::Value& obj,
                                      std::initializer_list<std::string_view> path) {
  auto field = NestedField(obj, path);
  if (!field.ok()) return field.status();
  if (*field == nullptr) return NestedInt{};
  const object::Value& v = **field;
  if (!IsInteger(v)) {
    return absl::InvalidArgumentError(
        absl::StrCat(JsonPath(path, path.size()), " accessor error: ", GoValueString(v),
                     " is of the type ", GoTypeName(v), ", expected int64"));
  }
  return NestedInt{true, AsInt(v)};
}

absl::StatusOr<NestedStr> NestedString(const object::Value& obj,
                                       std::initializer_list<std::string_view> path) {
  auto field = NestedField(obj, path);
  if (!field.ok()) return field.status();
  if (*field == nullptr) return NestedStr{};
  const object::Value& v = **field;
  if (!v.is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(JsonPath(path, path.size()), " accessor error: ", GoValueString(v),
                     " is of the type ", GoTypeName(v), ", expected string"));
  }
  return NestedStr{true, v.get<std::string>()};
}

std::string GroupOf(const object::Value& obj) {
  std::string api_version = object::GetString(obj, {"apiVersion"});
  size_t slash = api_version.find('/');
  if (slash == std::string::npos) return "";
  return api_version.substr(0, slash);
}

}  // namespace fluxcpp::kstatus
