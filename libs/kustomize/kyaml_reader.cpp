#include "libs/kustomize/kyaml_reader.h"

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/kustomize/yaml_scalar.h"

namespace fluxcpp::kustomize {
namespace {

using object::Value;

std::string KeyText(const Value& key) {
  if (key.is_string()) return key.get<std::string>();
  if (key.is_null()) return "null";
  if (key.is_boolean()) return key.get<bool>() ? "true" : "false";
  return key.dump();
}

absl::Status MergeInto(Value& target, const Value& source) {
  auto merge_one = [&target](const Value& m) -> absl::Status {
    if (!m.is_object()) {
      return absl::InvalidArgumentError("yaml: map merge requires map or sequence of maps as the value");
    }
    for (auto it = m.begin(); it != m.end(); ++it) {
      if (!target.contains(it.key())) target[it.key()] = it.value();
    }
    return absl::OkStatus();
  };
  if (source.is_array()) {
    for (const Value& m : source) {
      if (absl::Status s = merge_one(m); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  return merge_one(source);
}

absl::StatusOr<Value> Convert(const YAML::Node& node, int depth, bool dups) {
  if (depth > 256) return absl::InvalidArgumentError("yaml: exceeded max depth of 256");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Value(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      const std::string& text = node.Scalar();
      if (tag == "?") return ResolvePlainV3(text);
      if (tag == "!" || tag == "tag:yaml.org,2002:str" || tag == "!!str") return Value(text);
      if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" || tag == "tag:yaml.org,2002:bool" ||
          tag == "tag:yaml.org,2002:null") {
        return ResolvePlainV3(text);
      }
      return Value(text);
    }
    case YAML::NodeType::Sequence: {
      Value out = Value::array();
      for (const auto& item : node) {
        auto v = Convert(item, depth + 1, dups);
        if (!v.ok()) return v.status();
        out.push_back(std::move(*v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Value out = Value::object();
      std::vector<Value> merges;
      std::set<std::string> seen;
      for (const auto& kv : node) {
        if (kv.first.IsScalar() && kv.first.Tag() == "?" && kv.first.Scalar() == "<<") {
          auto m = Convert(kv.second, depth + 1, dups);
          if (!m.ok()) return m.status();
          merges.push_back(std::move(*m));
          continue;
        }
        auto key = Convert(kv.first, depth + 1, dups);
        if (!key.ok()) return key.status();
        std::string k = KeyText(*key);
        if (!seen.insert(k).second && !dups) {
          return absl::InvalidArgumentError(absl::StrCat("yaml: line ", kv.first.Mark().line + 1, ": mapping key \"",
                                                         k, "\" already defined"));
        }
        auto v = Convert(kv.second, depth + 1, dups);
        if (!v.ok()) return v.status();
        out[k] = std::move(*v);
      }
      for (const Value& m : merges) {
        if (absl::Status s = MergeInto(out, m); !s.ok()) return s;
      }
      return out;
    }
  }
  return Value(nullptr);
}

}  // namespace

absl::StatusOr<std::vector<Value>> ReadYamlDocuments(std::string_view text, bool allow_duplicate_keys) {
  std::vector<Value> out;
  try {
    std::vector<YAML::Node> nodes = YAML::LoadAll(std::string(text));
    for (const auto& node : nodes) {
      auto v = Convert(node, 0, allow_duplicate_keys);
      if (!v.ok()) return v.status();
      if (v->is_null()) continue;
      out.push_back(std::move(*v));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("yaml: line ", e.mark.line + 1, ": ", e.msg));
  }
  return out;
}

absl::StatusOr<Value> ReadYaml(std::string_view text, bool allow_duplicate_keys) {
  auto docs = ReadYamlDocuments(text, allow_duplicate_keys);
  if (!docs.ok()) return docs.status();
  if (docs->empty()) return Value(nullptr);
  return std::move(docs->front());
}

}  // namespace fluxcpp::kustomize
