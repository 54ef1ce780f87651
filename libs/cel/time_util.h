#pragma once
// Calendar helpers for CEL timestamps and durations (proleptic Gregorian, UTC
// and fixed offsets; IANA zone names are resolved by the accessors in
// functions.cpp through Abseil and the system zoneinfo).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fluxcpp::cel {

struct CivilTime {
  int64_t year;
  int month;   // 1..12
  int day;     // 1..31
  int hour, minute, second;
  int day_of_week;  // 0 = Sunday
  int day_of_year;  // 0-based
};

// Valid CEL timestamp range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
// Durations are Go time.Durations in cel-go: int64 nanoseconds (about ±292 years).
constexpr __int128 kMaxDurationNanos = INT64_MAX;

// Breaks seconds since the epoch, shifted by offset_seconds, into civil fields.
CivilTime ToCivil(int64_t seconds, int64_t offset_seconds);
// Days since the epoch of a civil date.
int64_t DaysFromCivil(int64_t year, int month, int day);

// Parses an RFC 3339 timestamp ("2006-01-02T15:04:05.999Z", "+07:00" offsets).
absl::StatusOr<std::pair<int64_t, int32_t>> ParseTimestamp(std::string_view text);
// Parses a Go-style duration ("1h2m3.5s", "-10ms", "100ns", "0").
absl::StatusOr<std::pair<int64_t, int32_t>> ParseDuration(std::string_view text);
// Parses a time zone argument ("UTC", "+05:30", "-08:00"); offset in seconds.
std::optional<int64_t> ParseZoneOffset(std::string_view zone);

}  // namespace fluxcpp::cel
