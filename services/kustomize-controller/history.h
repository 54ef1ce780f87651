#pragma once
// status.history of a Kustomization (spec §10.16): up to 5 snapshots,
// newest first, de-duplicated on (digest, status).

#include <string>

#include "libs/core/duration.h"
#include "libs/object/value.h"

namespace fluxcpp::kustomize_controller {

void RecordHistory(object::Value& kustomization, const std::string& digest, const std::string& revision,
                   const std::string& origin_revision, const std::string& status, Duration took);

}  // namespace fluxcpp::kustomize_controller
