#pragma once
// Return-if-error helpers for absl::Status / absl::StatusOr.
// The Abseil in Debian 12 predates its own macros, so we keep these here.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FLUX_STATUS_CONCAT_INNER_(a, b) a##b
#define FLUX_STATUS_CONCAT_(a, b) FLUX_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function if not ok.
#define FLUX_RETURN_IF_ERROR(expr)                   \
  do {                                               \
    ::absl::Status flux_status_ = (expr);            \
    if (!flux_status_.ok()) return flux_status_;     \
  } while (0)

// `lhs` = value of `expr` (an absl::StatusOr<T>), or returns its status.
//   FLUX_ASSIGN_OR_RETURN(auto x, Foo());
#define FLUX_ASSIGN_OR_RETURN(lhs, expr) \
  FLUX_ASSIGN_OR_RETURN_IMPL_(FLUX_STATUS_CONCAT_(flux_statusor_, __LINE__), lhs, expr)

#define FLUX_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

namespace fluxcpp {

// Prefixes the message of a non-ok status with `context: `, keeping its code.
inline absl::Status Annotate(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), std::string(context) + ": " + std::string(status.message()));
}

}  // namespace fluxcpp
