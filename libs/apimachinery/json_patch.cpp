#include "libs/apimachinery/json_patch.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/core/status_macros.h"

namespace fluxcpp::apimachinery {
namespace {

inline absl::string_view A(std::string_view s) { return absl::string_view(s.data(), s.size()); }

using object::Value;

std::string Unescape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out.push_back(token[i + 1] == '0' ? '~' : '/');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

// Parses an array index token; -1 for "-" (append), -2 when invalid.
long ParseIndex(const std::string& token) {
  if (token == "-") return -1;
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return -2;
  for (char c : token) {
    if (c < '0' || c > '9') return -2;
  }
  return std::strtol(token.c_str(), nullptr, 10);
}

absl::Status Missing(std::string_view op, std::string_view path) {
  return absl::FailedPreconditionError(
      absl::StrCat(A(op), " operation does not apply: doc is missing path: \"", A(path), "\": missing value"));
}

// Resolves all but the last token; nullptr when the parent does not exist.
Value* Parent(Value& doc, const std::vector<std::string>& tokens) {
  Value* cur = &doc;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (cur->is_object()) {
      auto it = cur->find(tokens[i]);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      long idx = ParseIndex(tokens[i]);
      if (idx < 0 || static_cast<size_t>(idx) >= cur->size()) return nullptr;
      cur = &(*cur)[static_cast<size_t>(idx)];
    } else {
      return nullptr;
    }
  }
  return cur;
}

Value* Resolve(Value& doc, const std::vector<std::string>& tokens) {
  if (tokens.empty()) return &doc;
  Value* parent = Parent(doc, tokens);
  if (parent == nullptr) return nullptr;
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    auto it = parent->find(last);
    return it == parent->end() ? nullptr : &*it;
  }
  if (parent->is_array()) {
    long idx = ParseIndex(last);
    if (idx < 0 || static_cast<size_t>(idx) >= parent->size()) return nullptr;
    return &(*parent)[static_cast<size_t>(idx)];
  }
  return nullptr;
}

absl::Status Add(Value& doc, const std::vector<std::string>& tokens, Value value, std::string_view path) {
  if (tokens.empty()) {
    doc = std::move(value);
    return absl::OkStatus();
  }
  Value* parent = Parent(doc, tokens);
  if (parent == nullptr) return Missing("add", path);
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
    return absl::OkStatus();
  }
  if (parent->is_array()) {
    long idx = ParseIndex(last);
    if (idx == -1) {
      parent->push_back(std::move(value));
      return absl::OkStatus();
    }
    if (idx < 0 || static_cast<size_t>(idx) > parent->size()) {
      return absl::FailedPreconditionError(absl::StrCat("add operation does not apply: index out of bounds: ", A(path)));
    }
    parent->insert(parent->begin() + idx, std::move(value));
    return absl::OkStatus();
  }
  return Missing("add", path);
}

absl::StatusOr<Value> Remove(Value& doc, const std::vector<std::string>& tokens, std::string_view op,
                             std::string_view path) {
  if (tokens.empty()) return absl::FailedPreconditionError(absl::StrCat(A(op), " operation does not apply: cannot remove the root"));
  Value* parent = Parent(doc, tokens);
  const std::string& last = tokens.back();
  if (parent != nullptr && parent->is_object()) {
    auto it = parent->find(last);
    if (it != parent->end()) {
      Value out = std::move(*it);
      parent->erase(it);
      return out;
    }
  } else if (parent != nullptr && parent->is_array()) {
    long idx = ParseIndex(last);
    if (idx >= 0 && static_cast<size_t>(idx) < parent->size()) {
      Value out = std::move((*parent)[static_cast<size_t>(idx)]);
      parent->erase(static_cast<size_t>(idx));
      return out;
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat("Unable to remove nonexistent key: ", last, ": missing value"));
}

absl::StatusOr<std::string> Field(const Value& op, std::string_view name) {
  auto it = op.find(name);
  if (it == op.end() || !it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("json patch operation is missing \"", A(name), "\""));
  }
  return it->get<std::string>();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseJsonPointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("JSON pointer must be empty or start with a \"/\": ", A(pointer)));
  }
  size_t start = 1;
  while (true) {
    size_t slash = pointer.find('/', start);
    tokens.push_back(Unescape(pointer.substr(start, slash == std::string_view::npos ? slash : slash - start)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return tokens;
}

absl::StatusOr<Value> ApplyJsonPatch(const Value& doc, const Value& patch) {
  if (!patch.is_array()) return absl::InvalidArgumentError("json patch must be an array of operations");
  Value out = doc;
  for (const Value& op : patch) {
    if (!op.is_object()) return absl::InvalidArgumentError("json patch operation must be an object");
    FLUX_ASSIGN_OR_RETURN(std::string kind, Field(op, "op"));
    FLUX_ASSIGN_OR_RETURN(std::string path, Field(op, "path"));
    FLUX_ASSIGN_OR_RETURN(std::vector<std::string> tokens, ParseJsonPointer(path));
    auto value_it = op.find("value");
    if (kind == "add" || kind == "replace" || kind == "test") {
      if (value_it == op.end()) {
        return absl::InvalidArgumentError(absl::StrCat(kind, " operation is missing \"value\""));
      }
    }
    if (kind == "add") {
      FLUX_RETURN_IF_ERROR(Add(out, tokens, *value_it, path));
    } else if (kind == "remove") {
      FLUX_ASSIGN_OR_RETURN(Value removed, Remove(out, tokens, "remove", path));
      (void)removed;
    } else if (kind == "replace") {
      Value* target = Resolve(out, tokens);
      if (target == nullptr) {
        return absl::FailedPreconditionError(
            absl::StrCat("replace operation does not apply: doc is missing key: ", path, ": missing value"));
      }
      *target = *value_it;
    } else if (kind == "move" || kind == "copy") {
      FLUX_ASSIGN_OR_RETURN(std::string from, Field(op, "from"));
      FLUX_ASSIGN_OR_RETURN(std::vector<std::string> from_tokens, ParseJsonPointer(from));
      Value moved;
      if (kind == "move") {
        if (path.rfind(from + "/", 0) == 0) {
          return absl::FailedPreconditionError("move operation cannot move a value into one of its children");
        }
        FLUX_ASSIGN_OR_RETURN(moved, Remove(out, from_tokens, "move", from));
      } else {
        Value* source = Resolve(out, from_tokens);
        if (source == nullptr) return Missing("copy", from);
        moved = *source;
      }
      FLUX_RETURN_IF_ERROR(Add(out, tokens, std::move(moved), path));
    } else if (kind == "test") {
      Value* target = Resolve(out, tokens);
      if (target == nullptr || *target != *value_it) {
        return absl::FailedPreconditionError(absl::StrCat("testing value ", path, " failed: test failed"));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("Unexpected kind: ", kind));
    }
  }
  return out;
}

}  // namespace fluxcpp::apimachinery
