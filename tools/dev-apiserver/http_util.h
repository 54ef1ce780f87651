#pragma once
// Small helpers shared by the HTTP handlers (internal to dev-apiserver).

#include <httplib.h>

#include <string>

#include "absl/status/status.h"
#include "libs/object/value.h"

namespace fluxcpp::devapiserver {

inline void WriteJson(httplib::Response& res, int code, const std::string& body) {
  res.status = code;
  res.set_content(body, "application/json");
}

inline void WriteValue(httplib::Response& res, int code, const object::Value& value) {
  WriteJson(res, code, object::ToJson(value));
}

void WriteError(httplib::Response& res, const absl::Status& status);

// The media type of Content-Type without parameters, lower-cased.
std::string MediaType(const std::string& content_type);

// How the client wants objects rendered (from Accept).
enum class ResponseForm { kObject, kTable, kPartialMetadata };
ResponseForm FormFromAccept(const std::string& accept);

}  // namespace fluxcpp::devapiserver
