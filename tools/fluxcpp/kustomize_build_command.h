#pragma once
// `fluxcpp kustomize build [DIR] [--reorder legacy|none]
//  [--load-restrictor LoadRestrictionsRootOnly|LoadRestrictionsNone] [-o FILE]`:
// `kubectl kustomize DIR` / `kustomize build DIR` with libs/kustomize. Output
// on stdout (or FILE) is byte-identical to kubectl's; errors go to stderr.

#include "tools/fluxcpp/command.h"

namespace fluxcpp::cli {

int RunKustomizeBuild(const CommandArgs& args);

}  // namespace fluxcpp::cli
