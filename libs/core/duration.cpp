#include "libs/core/duration.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace fluxcpp {
namespace {

struct Unit {
  std::string_view name;
  int64_t nanos;
};

constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xC2\xB5s", 1000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1000},  // U+03BC Greek mu
    {"ms", 1000000},
    {"s", 1000000000LL},
    {"m", 60LL * 1000000000LL},
    {"h", 3600LL * 1000000000LL},
};

}  // namespace

absl::StatusOr<Duration> ParseGoDuration(std::string_view text) {
  const std::string original(text);
  auto invalid = [&] { return absl::InvalidArgumentError(absl::StrCat("invalid duration \"", original, "\"")); };
  if (text.empty()) return invalid();
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return Duration(0);
  if (text.empty()) return invalid();
  long double total = 0;
  while (!text.empty()) {
    size_t i = 0;
    long double whole = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      whole = whole * 10 + (text[i] - '0');
      ++i;
      digits = true;
    }
    long double frac = 0, scale = 1;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        frac = frac * 10 + (text[i] - '0');
        scale *= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return invalid();
    text.remove_prefix(i);
    size_t u = 0;
    while (u < text.size() && text[u] != '.' && !(text[u] >= '0' && text[u] <= '9')) ++u;
    if (u == 0) return absl::InvalidArgumentError(absl::StrCat("missing unit in duration \"", original, "\""));
    std::string_view unit_name = text.substr(0, u);
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (candidate.name == unit_name) unit = &candidate;
    }
    if (unit == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown unit \"", std::string(unit_name), "\" in duration \"", original, "\""));
    }
    total += (whole + frac / scale) * static_cast<long double>(unit->nanos);
    text.remove_prefix(u);
  }
  if (total > static_cast<long double>(INT64_MAX)) return invalid();
  int64_t nanos = static_cast<int64_t>(std::llround(total));
  return Duration(negative ? -nanos : nanos);
}

namespace {

// Formats v / 10^prec with trailing zeros of the fraction removed.
std::string FormatFraction(uint64_t v, int prec) {
  std::string frac;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    int digit = static_cast<int>(v % 10);
    print = print || digit != 0;
    if (print) frac.insert(frac.begin(), static_cast<char>('0' + digit));
    v /= 10;
  }
  std::string out = std::to_string(v);
  if (!frac.empty()) absl::StrAppend(&out, ".", frac);
  return out;
}

}  // namespace

std::string FormatGoDuration(Duration d) {
  int64_t n = d.count();
  if (n == 0) return "0s";
  bool negative = n < 0;
  uint64_t u = negative ? static_cast<uint64_t>(-(n + 1)) + 1 : static_cast<uint64_t>(n);
  std::string out;
  if (u < 1000000000ULL) {
    if (u < 1000ULL) {
      out = std::to_string(u) + "ns";
    } else if (u < 1000000ULL) {
      out = FormatFraction(u, 3) + "\xC2\xB5s";
    } else {
      out = FormatFraction(u, 6) + "ms";
    }
  } else {
    uint64_t seconds_part = u % 60000000000ULL;  // nanoseconds within the minute
    std::string secs = FormatFraction(seconds_part, 9) + "s";
    uint64_t minutes = u / 60000000000ULL;
    if (minutes > 0) {
      uint64_t hours = minutes / 60;
      minutes %= 60;
      std::string prefix = hours > 0 ? std::to_string(hours) + "h" : "";
      out = prefix + std::to_string(minutes) + "m" + secs;
    } else {
      out = secs;
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace fluxcpp
