#pragma once
// Server-side printing: meta.k8s.io/v1 Table responses for `kubectl get`.
// Built-in kinds get kubectl's usual columns (NAME, AGE and a few per-kind
// ones); custom resources get their CRD additionalPrinterColumns evaluated
// with JSONPath (date columns rendered as ages), or NAME, AGE.
//
// Thread-safe (stateless).

#include <chrono>
#include <string>
#include <vector>

#include "libs/object/value.h"
#include "tools/dev-apiserver/resource_info.h"

namespace fluxcpp::devapiserver {

enum class IncludeObject { kNone, kMetadata, kObject };

IncludeObject ParseIncludeObject(const std::string& value);  // default kMetadata

// A Table of `objects` (parsed), with list metadata (resourceVersion, continue).
object::Value ToTable(const ResourceInfo& resource, const std::vector<object::Value>& objects,
                      IncludeObject include, const object::Value& list_metadata,
                      std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace fluxcpp::devapiserver
