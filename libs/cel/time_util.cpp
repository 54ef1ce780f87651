#include "libs/cel/time_util.h"

#include <cctype>
#include <cmath>

namespace fluxcpp::cel {

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime ToCivil(int64_t seconds, int64_t offset_seconds) {
  int64_t s = seconds + offset_seconds;
  int64_t days = s / 86400;
  int64_t rem = s % 86400;
  if (rem < 0) { rem += 86400; days -= 1; }
  CivilTime t{};
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>(rem % 3600 / 60);
  t.second = static_cast<int>(rem % 60);
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2);
  int64_t wd = (days + 4) % 7;  // 1970-01-01 was a Thursday
  if (wd < 0) wd += 7;
  t.day_of_week = static_cast<int>(wd);
  t.day_of_year = static_cast<int>(days - DaysFromCivil(t.year, 1, 1));
  return t;
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

absl::StatusOr<std::pair<int64_t, int32_t>> ParseTimestamp(std::string_view s) {
  auto bad = [&] { return absl::InvalidArgumentError("invalid timestamp \"" + std::string(s) + "\""); };
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' ||
      !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, &h) || s[13] != ':' ||
      !Digits(s, 14, 2, &mi) || s[16] != ':' || !Digits(s, 17, 2, &se))
    return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return bad();
  size_t pos = 19;
  int32_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (n < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return bad();
    for (int i = n; i < 9; ++i) nanos *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, &om))
      return bad();
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  // Reject dates like Feb 30.
  int64_t days = DaysFromCivil(y, mo, d);
  CivilTime check = ToCivil(days * 86400, 0);
  if (check.month != mo || check.day != d) return bad();
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset;
  if (secs < kMinTimestampSeconds || secs > kMaxTimestampSeconds) return bad();
  return std::make_pair(secs, nanos);
}

absl::StatusOr<std::pair<int64_t, int32_t>> ParseDuration(std::string_view s) {
  auto bad = [&] { return absl::InvalidArgumentError("invalid duration \"" + std::string(s) + "\""); };
  std::string_view orig = s;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::make_pair<int64_t, int32_t>(0, 0);
  if (s.empty()) return bad();
  // Accumulate in nanoseconds with 128-bit headroom.
  __int128 total = 0;
  while (!s.empty()) {
    __int128 whole = 0;
    size_t i = 0;
    bool any = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      whole = whole * 10 + (s[i] - '0');
      if (whole > (static_cast<__int128>(1) << 80)) return bad();
      ++i;
      any = true;
    }
    __int128 frac = 0, scale = 1;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        if (scale < 1000000000000000000LL) {
          frac = frac * 10 + (s[i] - '0');
          scale *= 10;
        }
        ++i;
        any = true;
      }
    }
    if (!any) return bad();
    size_t u = i;
    while (u < s.size() && !std::isdigit(static_cast<unsigned char>(s[u])) && s[u] != '.') ++u;
    std::string_view unit = s.substr(i, u - i);
    int64_t mult;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1000;
    else if (unit == "ms") mult = 1000000;
    else if (unit == "s") mult = 1000000000;
    else if (unit == "m") mult = 60LL * 1000000000;
    else if (unit == "h") mult = 3600LL * 1000000000;
    else return bad();
    total += whole * mult + frac * mult / scale;
    if (total > kMaxDurationNanos) return bad();
    s.remove_prefix(u);
  }
  (void)orig;
  if (neg) total = -total;
  int64_t secs = static_cast<int64_t>(total / 1000000000);
  int32_t nanos = static_cast<int32_t>(total % 1000000000);
  return std::make_pair(secs, nanos);
}

std::optional<int64_t> ParseZoneOffset(std::string_view z) {
  if (z == "UTC" || z == "Z" || z == "Etc/UTC" || z == "GMT") return 0;
  if (z.size() == 6 && (z[0] == '+' || z[0] == '-') && z[3] == ':') {
    int h, m;
    if (!Digits(z, 1, 2, &h) || !Digits(z, 4, 2, &m)) return std::nullopt;
    return (h * 3600 + m * 60) * (z[0] == '-' ? -1 : 1);
  }
  return std::nullopt;
}

}  // namespace fluxcpp::cel
