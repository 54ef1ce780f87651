#pragma once
// The object model shared by every library: a JSON value that keeps key order
// (nlohmann::ordered_json), plus small typed accessors for Kubernetes objects.
//
// Integers and floats stay distinct (Go's int vs float64). Values are plain
// data: copy to mutate a shared one.

#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace fluxcpp::object {

using Value = nlohmann::ordered_json;

// Parses one JSON document.
absl::StatusOr<Value> ParseJson(std::string_view text);
// Compact JSON, UTF-8 kept as is.
std::string ToJson(const Value& value);
// Indented JSON (2 spaces), for humans and golden files.
std::string ToPrettyJson(const Value& value);

// Follows object keys; nullptr when any step is missing or not an object.
const Value* Find(const Value& root, std::initializer_list<std::string_view> path);
Value* FindMutable(Value& root, std::initializer_list<std::string_view> path);

// Typed reads with a fallback when missing or of another type.
std::string GetString(const Value& root, std::initializer_list<std::string_view> path,
                      std::string_view fallback = "");
int64_t GetInt(const Value& root, std::initializer_list<std::string_view> path, int64_t fallback = 0);
bool GetBool(const Value& root, std::initializer_list<std::string_view> path, bool fallback = false);

// Creates intermediate objects as needed and returns the slot at `path`.
Value& Ensure(Value& root, std::initializer_list<std::string_view> path);

// Removes the key at `path` if present; true when something was removed.
bool Erase(Value& root, std::initializer_list<std::string_view> path);

}  // namespace fluxcpp::object
