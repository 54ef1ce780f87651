// Splits the input at the first "\n---\n" into a target and a patch and runs
// the strategic merge and JSON patch engines on them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libs/kustomize/json_patch.h"
#include "libs/kustomize/kyaml_reader.h"
#include "libs/kustomize/strategic_merge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  size_t sep = text.find("\n---\n");
  if (sep == std::string::npos) return 0;
  auto target = fluxcpp::kustomize::ReadYaml(text.substr(0, sep));
  if (!target.ok() || !target->is_object()) return 0;
  std::string patch_text = text.substr(sep + 5);
  if (auto patch = fluxcpp::kustomize::ReadYaml(patch_text); patch.ok() && patch->is_object()) {
    (void)fluxcpp::kustomize::StrategicMerge(*target, *patch);
  }
  if (auto ops = fluxcpp::kustomize::ParseJsonPatch(patch_text); ops.ok()) {
    (void)fluxcpp::kustomize::ApplyJsonPatch(*target, *ops);
  }
  return 0;
}
