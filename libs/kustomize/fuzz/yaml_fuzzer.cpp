// Reads arbitrary bytes as a kustomize resource stream and writes every
// document back in kustomize's format; the output must parse again to the
// same documents.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/kustomize/kyaml_reader.h"
#include "libs/kustomize/kyaml_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto docs = fluxcpp::kustomize::ReadYamlDocuments(text);
  if (!docs.ok()) return 0;
  for (const auto& doc : *docs) {
    std::string out = fluxcpp::kustomize::MarshalResource(doc);
    auto back = fluxcpp::kustomize::ReadYamlDocuments(out);
    if (!back.ok()) __builtin_trap();
  }
  return 0;
}
