#pragma once
// The table of built-in kinds the server stores and serves. One row per
// kind; adding a kind is one line in builtin_kinds.cpp.

#include <vector>

#include "tools/dev-apiserver/resource_info.h"

namespace fluxcpp::devapiserver {

// Every built-in resource, in discovery order (group order follows
// kube-apiserver's /apis ordering for the groups we serve).
std::vector<ResourceInfo> BuiltinResources();

}  // namespace fluxcpp::devapiserver
