#include "libs/kustomize/build.h"

#include "libs/core/status_macros.h"
#include "libs/kustomize/kust_target.h"
#include "libs/kustomize/kyaml_writer.h"
#include "libs/kustomize/legacy_order.h"

namespace fluxcpp::kustomize {

absl::StatusOr<std::vector<object::Value>> Build(const std::string& dir, const BuildOptions& options) {
  FLUX_ASSIGN_OR_RETURN(FileLoader ldr, FileLoader::Create(dir, options.root, options.allow_remote));
  FLUX_ASSIGN_OR_RETURN(KustTarget kt, KustTarget::Load(std::move(ldr), options));
  FLUX_ASSIGN_OR_RETURN(ResMap m, kt.MakeCustomizedResMap());
  const object::Value* sort = object::Find(kt.kustomization().k, {"sortOptions"});
  if (sort != nullptr && !sort->is_null()) {
    FLUX_RETURN_IF_ERROR(ApplySortOptions(m, *sort));
  } else if (options.reorder == Reorder::kLegacy) {
    LegacySort(m);
  }
  std::vector<object::Value> out;
  out.reserve(m.size());
  for (Resource& r : m) out.push_back(std::move(r.obj));
  return out;
}

std::string ToYaml(const std::vector<object::Value>& resources) {
  std::string out;
  for (size_t i = 0; i < resources.size(); ++i) {
    if (i > 0) out += "---\n";
    out += MarshalResource(resources[i]);
  }
  return out;
}

}  // namespace fluxcpp::kustomize
