#include "libs/kustomize/json_patch.h"

#include "absl/strings/str_cat.h"
#include "libs/kustomize/yaml_scalar.h"
#include "libs/object/yaml.h"

namespace fluxcpp::kustomize {

using object::Value;

absl::StatusOr<Value> ParseJsonPatch(std::string_view text) {
  object::YamlReadOptions options;
  options.resolve_plain = &ResolvePlainV2;  // kustomize reads the body with go-yaml v2
  options.allow_duplicate_keys = false;
  auto docs = object::ParseYamlDocuments(text, options);
  if (!docs.ok()) return docs.status();
  if (docs->size() != 1 || !(*docs)[0].is_array()) {
    return absl::InvalidArgumentError("a JSON patch must be a list of operations");
  }
  for (const Value& op : (*docs)[0]) {
    if (!op.is_object() || !op.contains("op")) return absl::InvalidArgumentError("JSON patch operation lacks 'op'");
  }
  return (*docs)[0];
}

namespace {

// The value at `pointer`, nullptr when missing (or the pointer is malformed).
const Value* At(const Value& doc, const std::string& pointer) {
  try {
    Value::json_pointer ptr(pointer);
    return doc.contains(ptr) ? &doc.at(ptr) : nullptr;
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Splits "/a/b" into its parent pointer ("/a") and last token ("b", unescaped).
void SplitPointer(const std::string& pointer, std::string* parent, std::string* last) {
  size_t slash = pointer.rfind('/');
  *parent = slash == std::string::npos ? "" : pointer.substr(0, slash);
  std::string token = slash == std::string::npos ? pointer : pointer.substr(slash + 1);
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out.push_back(token[i + 1] == '0' ? '~' : '/');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  *last = out;
}

// kustomize's (evanphx/json-patch's) error for an operation whose path (or
// from) is missing, checked before applying it; empty when the paths exist.
std::string MissingPathError(const Value& doc, const std::string& op, const std::string& path,
                             const std::string& from) {
  std::string parent_ptr, last;
  SplitPointer(path, &parent_ptr, &last);
  const Value* parent = At(doc, parent_ptr);
  bool parent_ok = parent != nullptr && (parent->is_object() || parent->is_array());
  if (op == "add") {
    if (!parent_ok) return absl::StrCat("add operation does not apply: doc is missing path: \"", path, "\": missing value");
    return "";
  }
  if (op == "remove") {
    if (!parent_ok) return absl::StrCat("remove operation does not apply: doc is missing path: \"", path, "\": missing value");
    if (parent->is_object() && !parent->contains(last)) {
      return absl::StrCat("error in remove for path: '", path, "': Unable to remove nonexistent key: ", last,
                          ": missing value");
    }
    return "";
  }
  if (op == "replace") {
    if (At(doc, path) == nullptr) {
      return absl::StrCat("replace operation does not apply: doc is missing path: ", path, ": missing value");
    }
    return "";
  }
  if (op == "move" || op == "copy") {
    std::string from_parent, from_last;
    SplitPointer(from, &from_parent, &from_last);
    const Value* fp = At(doc, from_parent);
    if (fp == nullptr || !(fp->is_object() || fp->is_array())) {
      return absl::StrCat(op, " operation does not apply: doc is missing from path: ", from, ": missing value");
    }
    if (At(doc, from) == nullptr) {
      return absl::StrCat("error in ", op, " for path: '", from_last, "': Unable to remove nonexistent key: ", from_last,
                          ": missing value");
    }
    if (!parent_ok) return absl::StrCat(op, " operation does not apply: doc is missing destination path: ", path);
  }
  return "";
}

}  // namespace

absl::StatusOr<Value> ApplyJsonPatch(const Value& target, const Value& ops) {
  Value result = target;
  // One operation at a time, so a failure names the operation as kustomize
  // (evanphx/json-patch) does.
  for (const Value& op : ops) {
    std::string name = object::GetString(op, {"op"});
    std::string path = object::GetString(op, {"path"});
    std::string missing = MissingPathError(result, name, path, object::GetString(op, {"from"}));
    if (!missing.empty()) return absl::InvalidArgumentError(missing);
    try {
      result.patch_inplace(Value::array({op}));
    } catch (const std::exception& e) {
      const auto* je = dynamic_cast<const nlohmann::json::exception*>(&e);
      if (je != nullptr && je->id == 501 && name == "test") {
        return absl::InvalidArgumentError(absl::StrCat("testing value ", path, " failed: test failed"));
      }
      return absl::InvalidArgumentError(
          absl::StrCat(name, " operation does not apply: ", path, ": ", e.what()));
    }
  }
  return result;
}

}  // namespace fluxcpp::kustomize
