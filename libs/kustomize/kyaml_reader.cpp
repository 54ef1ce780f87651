#include "libs/kustomize/kyaml_reader.h"

#include "libs/kustomize/fast_yaml_reader.h"
#include "libs/kustomize/yaml_scalar.h"
#include "libs/object/yaml.h"

namespace fluxcpp::kustomize {

absl::StatusOr<std::vector<object::Value>> ReadYamlDocuments(std::string_view text, bool allow_duplicate_keys) {
  // Plain block YAML takes the fast path; anything else (and every error)
  // the general reader.
  if (auto fast = FastReadYamlDocuments(text, &ResolvePlainV3)) return *std::move(fast);
  object::YamlReadOptions options;
  options.resolve_plain = &ResolvePlainV3;
  options.allow_duplicate_keys = allow_duplicate_keys;
  return object::ParseYamlDocuments(text, options);
}

absl::StatusOr<object::Value> ReadYaml(std::string_view text, bool allow_duplicate_keys) {
  auto docs = ReadYamlDocuments(text, allow_duplicate_keys);
  if (!docs.ok()) return docs.status();
  if (docs->empty()) return object::Value(nullptr);
  return std::move(docs->front());
}

}  // namespace fluxcpp::kustomize
