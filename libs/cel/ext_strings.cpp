// ext.Strings: charAt, indexOf, lastIndexOf, lowerAscii, upperAscii, replace,
// split, substring, trim, join, reverse, strings.quote and format. Indexes
// count Unicode code points, not bytes.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "libs/cel/functions.h"
#include "libs/core/utf8.h"

namespace fluxcpp::cel {
namespace {

#define REQUIRE(cond, name) \
  if (!(cond)) return NoOverload(name, a, n)

bool Is(const Value& v, Kind k) { return v.kind() == k; }

std::u32string Decode(std::string_view s) {
  std::u32string out;
  while (!s.empty()) {
    utf8::DecodedRune d = utf8::DecodeRune(s);
    out.push_back(d.rune);
    s.remove_prefix(d.width);
  }
  return out;
}

std::string Encode(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) utf8::AppendRune(out, c);
  return out;
}

Value OutOfRange(int64_t i) { return Value::Error("index out of range: " + std::to_string(i)); }

bool IsUnicodeSpace(char32_t c) {
  switch (c) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

// ---- %s rendering used by format -------------------------------------------

std::string FormatPlainDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return FormatDouble(d, 1000);
}

std::string AsString(const Value& v);

std::string AsString(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull: return "null";
    case Kind::kBool: return v.bool_value() ? "true" : "false";
    case Kind::kInt: return std::to_string(v.int_value());
    case Kind::kUint: return std::to_string(v.uint_value());
    case Kind::kDouble: return FormatPlainDouble(v.double_value());
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kType: return v.str();
    case Kind::kTimestamp: return FormatTimestamp(v.seconds(), v.nanos());
    case Kind::kDuration: return FormatDuration(v.seconds(), v.nanos());
    case Kind::kList: {
      std::string o = "[";
      for (size_t i = 0; i < v.list().size(); ++i) {
        if (i) o += ", ";
        o += AsString(v.list()[i]);
      }
      return o + "]";
    }
    case Kind::kMap: {
      std::vector<std::pair<std::string, std::string>> items;
      for (const auto& [k, val] : v.map().entries()) items.emplace_back(AsString(k), AsString(val));
      std::sort(items.begin(), items.end());
      std::string o = "{";
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) o += ", ";
        o += items[i].first + ": " + items[i].second;
      }
      return o + "}";
    }
    case Kind::kOptional:
      return v.optional_value() ? "optional(" + AsString(*v.optional_value()) + ")" : "optional.none()";
    case Kind::kError: return v.str();
  }
  return "";
}

Value FormatError(const std::string& msg) { return Value::Error("error during formatting: " + msg); }

std::string ToBase(uint64_t u, int base, bool upper) {
  if (u == 0) return "0";
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string s;
  while (u) {
    s.push_back(digits[u % base]);
    u /= base;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

std::string SignedBase(const Value& v, int base, bool upper) {
  if (Is(v, Kind::kUint)) return ToBase(v.uint_value(), base, upper);
  int64_t i = v.int_value();
  if (i < 0) return "-" + ToBase(0 - static_cast<uint64_t>(i), base, upper);
  return ToBase(static_cast<uint64_t>(i), base, upper);
}

std::string TypeForError(const Value& v) { return v.TypeName(); }

// Renders one clause; `verb` is one of s d f e b o x X; precision -1 = default.
Value FormatClause(char verb, int precision, const Value& v) {
  switch (verb) {
    case 's': return Value::String(AsString(v));
    case 'd':
      if (Is(v, Kind::kInt) || Is(v, Kind::kUint)) return Value::String(SignedBase(v, 10, false));
      if (Is(v, Kind::kDouble) && !std::isfinite(v.double_value()))
        return Value::String(FormatPlainDouble(v.double_value()));
      return FormatError("decimal clause can only be used on integers, was given " + TypeForError(v));
    case 'f':
    case 'e': {
      double d;
      if (Is(v, Kind::kDouble)) d = v.double_value();
      else if (Is(v, Kind::kInt)) d = static_cast<double>(v.int_value());
      else if (Is(v, Kind::kUint)) d = static_cast<double>(v.uint_value());
      else
        return FormatError(std::string(verb == 'f' ? "fixed-point" : "scientific") +
                           " clause can only be used on doubles, was given " + TypeForError(v));
      if (!std::isfinite(d)) return Value::String(FormatPlainDouble(d));
      char buf[512];
      std::string fmt = std::string("%.") + std::to_string(precision < 0 ? 6 : std::min(precision, 100)) + verb;
      std::snprintf(buf, sizeof buf, fmt.c_str(), d);
      return Value::String(buf);
    }
    case 'b':
      if (Is(v, Kind::kInt) || Is(v, Kind::kUint)) return Value::String(SignedBase(v, 2, false));
      if (Is(v, Kind::kBool)) return Value::String(v.bool_value() ? "1" : "0");
      return FormatError("only integers and bools can be formatted as binary, was given " + TypeForError(v));
    case 'o':
      if (Is(v, Kind::kInt) || Is(v, Kind::kUint)) return Value::String(SignedBase(v, 8, false));
      return FormatError("octal clause can only be used on integers, was given " + TypeForError(v));
    case 'x':
    case 'X': {
      bool upper = verb == 'X';
      if (Is(v, Kind::kInt) || Is(v, Kind::kUint)) return Value::String(SignedBase(v, 16, upper));
      if (Is(v, Kind::kString) || Is(v, Kind::kBytes)) {
        std::string out;
        const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        for (unsigned char c : v.str()) {
          out.push_back(digits[c >> 4]);
          out.push_back(digits[c & 15]);
        }
        return Value::String(out);
      }
      return FormatError("only integers, byte buffers, and strings can be formatted as hex, was given " +
                         TypeForError(v));
    }
  }
  return Value::Error("could not parse formatting clause: unrecognized formatting clause \"" +
                      std::string(1, verb) + "\"");
}

}  // namespace

Value StringFormat(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kString) && Is(a[1], Kind::kList), "format");
  const std::string& f = a[0].str();
  const ListValue& args = a[1].list();
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out.push_back(f[i]);
      continue;
    }
    ++i;
    if (i >= f.size()) return Value::Error("could not parse formatting clause: unexpected end of string");
    if (f[i] == '%') {
      out.push_back('%');
      continue;
    }
    int precision = -1;
    if (f[i] == '.') {
      ++i;
      precision = 0;
      size_t start = i;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        precision = std::min(precision * 10 + (f[i] - '0'), 1000);
        ++i;
      }
      if (i == start || i >= f.size())
        return Value::Error("could not parse formatting clause: error while parsing precision");
    }
    char verb = f[i];
    if (std::string_view("sdfeboxX").find(verb) == std::string_view::npos) {
      std::string bad(1, verb);
      if (static_cast<unsigned char>(verb) >= 0x80) {
        std::u32string cps = Decode(f.substr(i, 4));
        bad = Encode(cps.substr(0, 1));
      }
      return Value::Error("could not parse formatting clause: unrecognized formatting clause \"" + bad + "\"");
    }
    if (next >= args.size()) return Value::Error("index " + std::to_string(next) + " out of range");
    Value r = FormatClause(verb, precision, args[next++]);
    if (r.is_error()) return r;
    out += r.str();
  }
  return Value::String(std::move(out));
}

Value StringQuote(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kString), "strings.quote");
  std::string out = "\"";
  for (char32_t c : Decode(a[0].str())) {
    switch (c) {
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
          out += buf;
        } else {
          utf8::AppendRune(out, c);
        }
    }
  }
  return Value::String(out + "\"");
}

Value StringCharAt(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kString) && Is(a[1], Kind::kInt), "charAt");
  std::u32string s = Decode(a[0].str());
  int64_t i = a[1].int_value();
  if (i < 0 || static_cast<size_t>(i) > s.size()) return OutOfRange(i);
  if (static_cast<size_t>(i) == s.size()) return Value::String("");
  return Value::String(Encode(s.substr(i, 1)));
}

Value StringIndexOf(const Value* a, size_t n) {
  REQUIRE((n == 2 || (n == 3 && Is(a[2], Kind::kInt))) && Is(a[0], Kind::kString) && Is(a[1], Kind::kString),
          "indexOf");
  std::u32string s = Decode(a[0].str());
  std::u32string sub = Decode(a[1].str());
  int64_t off = n == 3 ? a[2].int_value() : 0;
  if (off < 0 || static_cast<size_t>(off) > s.size()) return OutOfRange(off);
  size_t r = s.find(sub, off);
  return Value::Int(r == std::u32string::npos ? -1 : static_cast<int64_t>(r));
}

Value StringLastIndexOf(const Value* a, size_t n) {
  REQUIRE((n == 2 || (n == 3 && Is(a[2], Kind::kInt))) && Is(a[0], Kind::kString) && Is(a[1], Kind::kString),
          "lastIndexOf");
  std::u32string s = Decode(a[0].str());
  std::u32string sub = Decode(a[1].str());
  int64_t off = n == 3 ? a[2].int_value() : static_cast<int64_t>(s.size());
  if (off < 0 || static_cast<size_t>(off) > s.size()) return OutOfRange(off);
  if (sub.size() > s.size()) return Value::Int(-1);
  size_t r = s.rfind(sub, off);
  return Value::Int(r == std::u32string::npos ? -1 : static_cast<int64_t>(r));
}

Value StringLowerAscii(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kString), "lowerAscii");
  std::string s = a[0].str();
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return Value::String(s);
}

Value StringUpperAscii(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kString), "upperAscii");
  std::string s = a[0].str();
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return Value::String(s);
}

Value StringReplace(const Value* a, size_t n) {
  REQUIRE((n == 3 || (n == 4 && Is(a[3], Kind::kInt))) && Is(a[0], Kind::kString) && Is(a[1], Kind::kString) &&
              Is(a[2], Kind::kString),
          "replace");
  const std::string& s = a[0].str();
  const std::string& from = a[1].str();
  const std::string& to = a[2].str();
  int64_t limit = n == 4 ? a[3].int_value() : -1;
  if (limit == 0) return a[0];
  std::string out;
  if (from.empty()) {
    // Go semantics: insert `to` around every code point.
    std::u32string cps = Decode(s);
    int64_t done = 0;
    for (size_t i = 0; i <= cps.size(); ++i) {
      if (limit < 0 || done < limit) {
        out += to;
        ++done;
      }
      if (i < cps.size()) utf8::AppendRune(out, cps[i]);
    }
    return Value::String(out);
  }
  size_t pos = 0;
  int64_t done = 0;
  while (limit < 0 || done < limit) {
    size_t f = s.find(from, pos);
    if (f == std::string::npos) break;
    out.append(s, pos, f - pos);
    out += to;
    pos = f + from.size();
    ++done;
  }
  out.append(s, pos, std::string::npos);
  return Value::String(out);
}

Value StringSplit(const Value* a, size_t n) {
  REQUIRE((n == 2 || (n == 3 && Is(a[2], Kind::kInt))) && Is(a[0], Kind::kString) && Is(a[1], Kind::kString),
          "split");
  const std::string& s = a[0].str();
  const std::string& sep = a[1].str();
  int64_t limit = n == 3 ? a[2].int_value() : -1;
  ListValue out;
  if (limit == 0) return Value::List(std::move(out));
  if (sep.empty()) {
    std::u32string cps = Decode(s);
    for (size_t i = 0; i < cps.size(); ++i) {
      if (limit > 0 && static_cast<int64_t>(out.size()) == limit - 1) {
        out.push_back(Value::String(Encode(cps.substr(i))));
        return Value::List(std::move(out));
      }
      out.push_back(Value::String(Encode(cps.substr(i, 1))));
    }
    return Value::List(std::move(out));
  }
  size_t pos = 0;
  for (;;) {
    if (limit > 0 && static_cast<int64_t>(out.size()) == limit - 1) break;
    size_t f = s.find(sep, pos);
    if (f == std::string::npos) break;
    out.push_back(Value::String(s.substr(pos, f - pos)));
    pos = f + sep.size();
  }
  out.push_back(Value::String(s.substr(pos)));
  return Value::List(std::move(out));
}

Value StringSubstring(const Value* a, size_t n) {
  REQUIRE((n == 2 || (n == 3 && Is(a[2], Kind::kInt))) && Is(a[0], Kind::kString) && Is(a[1], Kind::kInt),
          "substring");
  std::u32string s = Decode(a[0].str());
  int64_t start = a[1].int_value();
  int64_t end = n == 3 ? a[2].int_value() : static_cast<int64_t>(s.size());
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 || start > len) return OutOfRange(start);
  if (end < 0 || end > len) return OutOfRange(end);
  if (start > end)
    return Value::Error("invalid substring range. start: " + std::to_string(start) + ", end: " + std::to_string(end));
  return Value::String(Encode(s.substr(start, end - start)));
}

Value StringTrim(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kString), "trim");
  std::u32string s = Decode(a[0].str());
  size_t b = 0, e = s.size();
  while (b < e && IsUnicodeSpace(s[b])) ++b;
  while (e > b && IsUnicodeSpace(s[e - 1])) --e;
  return Value::String(Encode(s.substr(b, e - b)));
}

Value StringJoin(const Value* a, size_t n) {
  REQUIRE((n == 1 || (n == 2 && Is(a[1], Kind::kString))) && Is(a[0], Kind::kList), "join");
  std::string sep = n == 2 ? a[1].str() : "";
  std::string out;
  bool first = true;
  for (const auto& e : a[0].list()) {
    if (!Is(e, Kind::kString)) return NoOverload("join", a, n);
    if (!first) out += sep;
    first = false;
    out += e.str();
  }
  return Value::String(out);
}

Value StringReverse(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kString), "reverse");
  std::u32string s = Decode(a[0].str());
  std::reverse(s.begin(), s.end());
  return Value::String(Encode(s));
}

}  // namespace fluxcpp::cel
