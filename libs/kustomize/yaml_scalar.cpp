#include "libs/kustomize/yaml_scalar.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "libs/object/yaml.h"

namespace fluxcpp::kustomize {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Go strconv.ParseInt/ParseUint(s, 0, 64) syntax (range not checked).
bool IsGoIntegerSyntax(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::string_view body = s.substr(i);
  if (body.empty()) return false;
  auto all = [](std::string_view d, auto pred) {
    if (d.empty()) return false;
    for (char c : d) {
      if (!pred(c)) return false;
    }
    return true;
  };
  if (body.size() >= 2 && body[0] == '0') {
    char p = body[1];
    if (p == 'x' || p == 'X') return all(body.substr(2), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    if (p == 'o' || p == 'O') return all(body.substr(2), [](char c) { return c >= '0' && c <= '7'; });
    if (p == 'b' || p == 'B') return all(body.substr(2), [](char c) { return c == '0' || c == '1'; });
    return all(body.substr(1), [](char c) { return c >= '0' && c <= '7'; });
  }
  return all(body, IsDigit);
}

using object::IsYamlStyleFloat;

// ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
bool IsBase60Float(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i >= s.size() || !IsDigit(s[i])) return false;
  ++i;
  while (i < s.size() && (IsDigit(s[i]) || s[i] == '_')) ++i;
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    size_t start = i;
    while (i < s.size() && IsDigit(s[i]) && i - start < 2) ++i;
    size_t n = i - start;
    if (n == 0) return false;
    if (n == 2 && s[start] > '5') {
      // "[0-5]?[0-9]": a two-digit group must start with 0-5; else backtrack to one digit.
      i = start + 1;
    }
    ++groups;
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && (IsDigit(s[i]) || s[i] == '_')) ++i;
  }
  return i == s.size();
}

// Accepts "n" digits, range [lo, hi].
bool ParseNum(std::string_view s, size_t* i, size_t min_digits, size_t max_digits, int* out) {
  size_t start = *i;
  int v = 0;
  while (*i < s.size() && IsDigit(s[*i]) && *i - start < max_digits) v = v * 10 + (s[(*i)++] - '0');
  if (*i - start < min_digits) return false;
  *out = v;
  return true;
}

// go-yaml's timestamp formats: 2006-1-2, "2006-1-2 15:4:5.999999999",
// 2006-1-2T15:4:5.999999999Z07:00 (T or t).
bool IsTimestamp(std::string_view s) {
  size_t i = 0;
  int year, month, day;
  if (!ParseNum(s, &i, 4, 4, &year)) return false;
  if (i >= s.size() || s[i] != '-') return false;
  ++i;
  if (!ParseNum(s, &i, 1, 2, &month) || month < 1 || month > 12) return false;
  if (i >= s.size() || s[i] != '-') return false;
  ++i;
  if (!ParseNum(s, &i, 1, 2, &day) || day < 1 || day > 31) return false;
  if (i == s.size()) return true;
  char sep = s[i];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  ++i;
  int h, m, sec;
  if (!ParseNum(s, &i, 1, 2, &h) || h > 23) return false;
  if (i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!ParseNum(s, &i, 1, 2, &m) || m > 59) return false;
  if (i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!ParseNum(s, &i, 1, 2, &sec) || sec > 59) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  if (sep == ' ') return i == s.size();
  if (i >= s.size()) return false;
  if (s[i] == 'Z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  ++i;
  int zh, zm;
  if (!ParseNum(s, &i, 2, 2, &zh)) return false;
  if (i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!ParseNum(s, &i, 2, 2, &zm)) return false;
  return i == s.size();
}

bool InV2Map(std::string_view s) {
  static constexpr std::string_view kWords[] = {
      "y",     "Y",    "yes",  "Yes",  "YES",  "on",    "On",    "ON",    "true",  "True", "TRUE",
      "n",     "N",    "no",   "No",   "NO",   "off",   "Off",   "OFF",   "false", "False", "FALSE",
      "~",     "null", "Null", "NULL", ".nan", ".NaN",  ".NAN",  ".inf",  ".Inf",  ".INF", "+.inf",
      "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"};
  for (std::string_view w : kWords) {
    if (s == w) return true;
  }
  return false;
}

}  // namespace

object::Value ResolvePlainV3(std::string_view text) {
  static constexpr std::string_view kOnlyV11Bools[] = {"y",  "Y",  "yes", "Yes", "YES", "on",  "On",  "ON",
                                                       "n",  "N",  "no",  "No",  "NO",  "off", "Off", "OFF"};
  for (std::string_view w : kOnlyV11Bools) {
    if (text == w) return object::Value(std::string(text));
  }
  return object::ResolvePlainScalar(text);
}

bool PlainStringResolvesToString(std::string_view s) {
  if (s.empty()) return false;
  char c = s[0];
  bool hinted = c == '+' || c == '-' || IsDigit(c) || c == '.' || std::string_view("yYnNtTfFoO~").find(c) != std::string_view::npos;
  if (hinted) {
    if (InV2Map(s)) return false;
    if (c == '.') {
      if (IsYamlStyleFloat(s)) return false;
    } else if (c == '+' || c == '-' || IsDigit(c)) {
      if (IsTimestamp(s)) return false;
      std::string plain;
      for (char ch : s) {
        if (ch != '_') plain.push_back(ch);
      }
      if (IsGoIntegerSyntax(plain) || IsYamlStyleFloat(plain)) return false;
    }
  }
  return !IsBase60Float(s);
}

std::string FormatGoFloat(double f) {
  if (std::isnan(f)) return ".nan";
  if (std::isinf(f)) return f > 0 ? ".inf" : "-.inf";
  if (f == std::floor(f) && std::fabs(f) < 9.2e18) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(f));
    return buf;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  size_t e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  if (exp < -4 || exp >= 6) {
    // Go writes at least two exponent digits: 1e+06, 1.5e-07.
    std::string mant = sci.substr(0, e);
    char sign = exp < 0 ? '-' : '+';
    int a = exp < 0 ? -exp : exp;
    char eb[16];
    std::snprintf(eb, sizeof(eb), "%02d", a);
    return mant + "e" + sign + eb;
  }
  res = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

object::Value ResolvePlainV2(std::string_view text) {
  static constexpr std::string_view kTrue[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"};
  static constexpr std::string_view kFalse[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF"};
  for (std::string_view t : kTrue) {
    if (text == t) return true;
  }
  for (std::string_view f : kFalse) {
    if (text == f) return false;
  }
  return ResolvePlainV3(text);
}

}  // namespace fluxcpp::kustomize
