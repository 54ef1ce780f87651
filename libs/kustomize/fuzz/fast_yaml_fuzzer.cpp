// Differential fuzzer: whenever the fast block-YAML reader accepts an input,
// it must produce exactly the documents the general reader produces.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/kustomize/fast_yaml_reader.h"
#include "libs/kustomize/yaml_scalar.h"
#include "libs/object/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace kz = fluxcpp::kustomize;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto fast = kz::FastReadYamlDocuments(text, &kz::ResolvePlainV3);
  if (!fast) return 0;
  fluxcpp::object::YamlReadOptions options;
  options.resolve_plain = &kz::ResolvePlainV3;
  auto general = fluxcpp::object::ParseYamlDocuments(text, options);
  if (!general.ok() || *general != *fast) __builtin_trap();
  return 0;
}
