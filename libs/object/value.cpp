#include "libs/object/value.h"

#include "absl/strings/str_cat.h"

namespace fluxcpp::object {

absl::StatusOr<Value> ParseJson(std::string_view text) {
  Value out = Value::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    // Re-parse with exceptions to get a precise message.
    try {
      (void)Value::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", e.what()));
    }
    return absl::InvalidArgumentError("invalid JSON");
  }
  return out;
}

std::string ToJson(const Value& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ToPrettyJson(const Value& value) {
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

const Value* Find(const Value& root, std::initializer_list<std::string_view> path) {
  const Value* cur = &root;
  for (std::string_view key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

Value* FindMutable(Value& root, std::initializer_list<std::string_view> path) {
  return const_cast<Value*>(Find(root, path));
}

std::string GetString(const Value& root, std::initializer_list<std::string_view> path, std::string_view fallback) {
  const Value* v = Find(root, path);
  if (v == nullptr || !v->is_string()) return std::string(fallback);
  return v->get<std::string>();
}

int64_t GetInt(const Value& root, std::initializer_list<std::string_view> path, int64_t fallback) {
  const Value* v = Find(root, path);
  if (v == nullptr || !v->is_number()) return fallback;
  if (v->is_number_float()) return static_cast<int64_t>(v->get<double>());
  return v->get<int64_t>();
}

bool GetBool(const Value& root, std::initializer_list<std::string_view> path, bool fallback) {
  const Value* v = Find(root, path);
  if (v == nullptr || !v->is_boolean()) return fallback;
  return v->get<bool>();
}

Value& Ensure(Value& root, std::initializer_list<std::string_view> path) {
  Value* cur = &root;
  for (std::string_view key : path) {
    if (!cur->is_object()) *cur = Value::object();
    cur = &(*cur)[std::string(key)];
  }
  return *cur;
}

bool Erase(Value& root, std::initializer_list<std::string_view> path) {
  if (path.size() == 0) return false;
  Value* parent = &root;
  auto last = path.end() - 1;
  for (auto it = path.begin(); it != last; ++it) {
    if (!parent->is_object()) return false;
    auto found = parent->find(*it);
    if (found == parent->end()) return false;
    parent = &*found;
  }
  if (!parent->is_object()) return false;
  return parent->erase(std::string(*last)) > 0;
}

}  // namespace fluxcpp::object
