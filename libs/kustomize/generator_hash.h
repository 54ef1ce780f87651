#pragma once
// The name-suffix hash kustomize gives generated ConfigMaps and Secrets:
// sha256 over Go's json.Marshal of {kind, name, data[, binaryData]} (ConfigMap)
// or {kind, type, name, data[, stringData]} (Secret) - where kustomize v5's
// lookup of the name always yields "" - - keys sorted, HTML
// characters escaped - then the first 10 hex digits with 0,1,3,a,e replaced by
// g,h,k,m,t (so the suffix never looks like a number or a word).

#include <string>

#include "libs/object/value.h"

namespace fluxcpp::kustomize {

// Go's encoding/json output for a value: object keys sorted, "<>&" and
// U+2028/U+2029 escaped as \u00XX, invalid UTF-8 replaced by U+FFFD.
std::string GoJsonMarshal(const object::Value& v);

// The 10-character suffix for a ConfigMap or Secret object (other kinds hash
// their whole JSON encoding).
std::string ResourceHash(const object::Value& obj);

// sha256 hex -> kustomize's 10-character encoding.
std::string EncodeHashPrefix(const std::string& hex);

}  // namespace fluxcpp::kustomize
