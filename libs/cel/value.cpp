#include "libs/cel/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "libs/cel/time_util.h"

namespace fluxcpp::cel {

Value Value::String(std::string s) {
  Value v(Kind::kString);
  v.ptr_ = std::make_shared<const std::string>(std::move(s));
  return v;
}
Value Value::Bytes(std::string s) {
  Value v(Kind::kBytes);
  v.ptr_ = std::make_shared<const std::string>(std::move(s));
  return v;
}
Value Value::List(ListValue items) {
  Value v(Kind::kList);
  v.ptr_ = std::make_shared<const ListValue>(std::move(items));
  return v;
}
Value Value::Map(std::shared_ptr<const MapValue> map) {
  Value v(Kind::kMap);
  v.ptr_ = std::move(map);
  return v;
}
Value Value::Type(std::string name) {
  Value v(Kind::kType);
  v.ptr_ = std::make_shared<const std::string>(std::move(name));
  return v;
}
Value Value::OptionalNone() { return Value(Kind::kOptional); }
Value Value::OptionalOf(Value inner) {
  Value v(Kind::kOptional);
  v.ptr_ = std::make_shared<const Value>(std::move(inner));
  return v;
}
Value Value::Timestamp(int64_t seconds, int32_t nanos) {
  Value v(Kind::kTimestamp);
  v.i_ = seconds;
  v.nanos_ = nanos;
  return v;
}
Value Value::Duration(int64_t seconds, int32_t nanos) {
  Value v(Kind::kDuration);
  v.i_ = seconds;
  v.nanos_ = nanos;
  return v;
}
Value Value::Opaque(std::shared_ptr<const OpaqueValue> payload) {
  Value v(Kind::kOpaque);
  v.ptr_ = std::move(payload);
  return v;
}
Value Value::Error(std::string message) {
  Value v(Kind::kError);
  v.ptr_ = std::make_shared<const std::string>(std::move(message));
  return v;
}

std::string Value::TypeName() const {
  switch (kind_) {
    case Kind::kNull: return "null_type";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kUint: return "uint";
    case Kind::kDouble: return "double";
    case Kind::kString: return "string";
    case Kind::kBytes: return "bytes";
    case Kind::kList: return "list";
    case Kind::kMap: return "map";
    case Kind::kType: return "type";
    case Kind::kOptional: return "optional_type";
    case Kind::kTimestamp: return "google.protobuf.Timestamp";
    case Kind::kDuration: return "google.protobuf.Duration";
    case Kind::kError: return "error";
    case Kind::kOpaque: return opaque().TypeName();
  }
  return "unknown";
}

namespace {

void QuoteTo(std::string* out, const std::string& s, char q) {
  out->push_back(q);
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(q) || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c == '\n') {
      *out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      *out += buf;
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back(q);
}

}  // namespace

std::string Value::DebugString() const {
  switch (kind_) {
    case Kind::kNull: return "null";
    case Kind::kBool: return bool_value() ? "true" : "false";
    case Kind::kInt: return std::to_string(i_);
    case Kind::kUint: return std::to_string(u_) + "u";
    case Kind::kDouble: {
      std::string s = FormatDouble(d_, 21);
      if (s.find_first_of(".eInN") == std::string::npos) s += ".0";
      return s;
    }
    case Kind::kString: { std::string o; QuoteTo(&o, str(), '"'); return o; }
    case Kind::kBytes: { std::string o = "b"; QuoteTo(&o, str(), '"'); return o; }
    case Kind::kList: {
      std::string o = "[";
      for (size_t i = 0; i < list().size(); ++i) {
        if (i) o += ", ";
        o += list()[i].DebugString();
      }
      return o + "]";
    }
    case Kind::kMap: {
      std::string o = "{";
      bool first = true;
      for (const auto& [k, v] : map().entries()) {
        if (!first) o += ", ";
        first = false;
        o += k.DebugString() + ": " + v.DebugString();
      }
      return o + "}";
    }
    case Kind::kType: return str();
    case Kind::kOptional: return ptr_ ? "optional.of(" + optional_value()->DebugString() + ")" : "optional.none()";
    case Kind::kTimestamp: return "timestamp(\"" + FormatTimestamp(i_, nanos_) + "\")";
    case Kind::kDuration: return "duration(\"" + FormatDuration(i_, nanos_) + "\")";
    case Kind::kError: return "error(" + str() + ")";
    case Kind::kOpaque: return opaque().DebugString();
  }
  return "?";
}

std::optional<std::string> MapKeyOf(const Value& key) {
  switch (key.kind()) {
    case Kind::kString: return "s" + key.str();
    case Kind::kBool: return key.bool_value() ? std::string("bt") : std::string("bf");
    case Kind::kInt: return "n" + std::to_string(key.int_value());
    case Kind::kUint: {
      uint64_t u = key.uint_value();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return "n" + std::to_string(static_cast<int64_t>(u));
      return "n" + std::to_string(u);
    }
    case Kind::kDouble: {
      double d = key.double_value();
      if (std::isfinite(d) && d == std::trunc(d)) {
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
          return "n" + std::to_string(static_cast<int64_t>(d));
        if (d >= 0 && d < 18446744073709551616.0) return "n" + std::to_string(static_cast<uint64_t>(d));
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

bool MapValue::Insert(Value key, Value value) {
  if (key.kind() == Kind::kString) {
    if (!strings_.emplace(key.str(), entries_.size()).second) return false;
  } else {
    if (key.kind() == Kind::kDouble) return false;
    auto k = MapKeyOf(key);
    if (!k || !others_.emplace(std::move(*k), entries_.size()).second) return false;
  }
  entries_.emplace_back(std::move(key), std::move(value));
  return true;
}

const Value* MapValue::FindString(std::string_view key) const {
  auto it = strings_.find(key);
  return it == strings_.end() ? nullptr : &entries_[it->second].second;
}

const Value* MapValue::Find(const Value& key) const {
  if (key.kind() == Kind::kString) return FindString(key.str());
  auto k = MapKeyOf(key);
  if (!k) return nullptr;
  auto it = others_.find(*k);
  return it == others_.end() ? nullptr : &entries_[it->second].second;
}

namespace {

bool IsNumber(Kind k) { return k == Kind::kInt || k == Kind::kUint || k == Kind::kDouble; }

// Exact comparison of two numbers of any numeric kind; nullopt for NaN.
std::optional<int> CompareNumbers(const Value& a, const Value& b) {
  auto sign = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  Kind ka = a.kind(), kb = b.kind();
  if (ka == Kind::kDouble || kb == Kind::kDouble) {
    if (ka == Kind::kDouble && kb == Kind::kDouble) {
      double x = a.double_value(), y = b.double_value();
      if (std::isnan(x) || std::isnan(y)) return std::nullopt;
      return sign(x, y);
    }
    // One double, one integer: the integer is converted to double, as cel-go
    // does (so the comparison can be lossy above 2^53).
    double x = ka == Kind::kDouble ? a.double_value()
               : ka == Kind::kInt  ? static_cast<double>(a.int_value())
                                   : static_cast<double>(a.uint_value());
    double y = kb == Kind::kDouble ? b.double_value()
               : kb == Kind::kInt  ? static_cast<double>(b.int_value())
                                   : static_cast<double>(b.uint_value());
    if (std::isnan(x) || std::isnan(y)) return std::nullopt;
    return sign(x, y);
  }
  if (ka == Kind::kInt && kb == Kind::kInt) return sign(a.int_value(), b.int_value());
  if (ka == Kind::kUint && kb == Kind::kUint) return sign(a.uint_value(), b.uint_value());
  if (ka == Kind::kInt) {
    if (a.int_value() < 0) return -1;
    return sign(static_cast<uint64_t>(a.int_value()), b.uint_value());
  }
  if (b.int_value() < 0) return 1;
  return sign(a.uint_value(), static_cast<uint64_t>(b.int_value()));
}

}  // namespace

bool Equal(const Value& a, const Value& b) {
  if (IsNumber(a.kind()) && IsNumber(b.kind())) {
    auto c = CompareNumbers(a, b);
    return c && *c == 0;
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kNull: return true;
    case Kind::kBool: return a.bool_value() == b.bool_value();
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kType: return a.str() == b.str();
    case Kind::kList: {
      const auto& x = a.list();
      const auto& y = b.list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!Equal(x[i], y[i])) return false;
      return true;
    }
    case Kind::kMap: {
      if (a.map().size() != b.map().size()) return false;
      for (const auto& [k, v] : a.map().entries()) {
        const Value* o = b.map().Find(k);
        if (!o || !Equal(v, *o)) return false;
      }
      return true;
    }
    case Kind::kOptional: {
      const Value* x = a.optional_value();
      const Value* y = b.optional_value();
      if (!x || !y) return !x && !y;
      return Equal(*x, *y);
    }
    case Kind::kTimestamp:
    case Kind::kDuration: return a.seconds() == b.seconds() && a.nanos() == b.nanos();
    case Kind::kOpaque: return a.TypeName() == b.TypeName() && a.opaque().Equals(b.opaque());
    default: return false;
  }
}

std::optional<int> Compare(const Value& a, const Value& b, bool* unordered) {
  *unordered = false;
  auto sign = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  if (IsNumber(a.kind()) && IsNumber(b.kind())) {
    auto c = CompareNumbers(a, b);
    if (!c) *unordered = true;
    return c;
  }
  if (a.kind() != b.kind()) return std::nullopt;
  switch (a.kind()) {
    case Kind::kBool: return sign(a.bool_value(), b.bool_value());
    case Kind::kString:
    case Kind::kBytes: {
      int c = a.str().compare(b.str());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kTimestamp:
    case Kind::kDuration:
      if (a.seconds() != b.seconds()) return sign(a.seconds(), b.seconds());
      return sign(a.nanos(), b.nanos());
    default: return std::nullopt;
  }
}

std::string FormatDouble(double d, int exp_threshold) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  // sci: [-]D[.DDD]e(+|-)XX
  bool neg = false;
  size_t pos = 0;
  if (sci[0] == '-') { neg = true; pos = 1; }
  size_t e = sci.find('e');
  std::string digits;
  for (size_t i = pos; i < e; ++i)
    if (sci[i] != '.') digits.push_back(sci[i]);
  int exp = std::stoi(sci.substr(e + 1));
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = neg ? "-" : "";
  if (digits == "0") return out + "0";
  if (exp < -4 || exp >= exp_threshold) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return out + eb;
  }
  int dp = exp + 1;  // digits before the decimal point
  if (dp <= 0) {
    out += "0." + std::string(-dp, '0') + digits;
  } else if (static_cast<size_t>(dp) >= digits.size()) {
    out += digits + std::string(dp - digits.size(), '0');
  } else {
    out += digits.substr(0, dp) + "." + digits.substr(dp);
  }
  return out;
}

std::string FormatTimestamp(int64_t seconds, int32_t nanos) {
  CivilTime t = ToCivil(seconds, 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(t.year), t.month,
                t.day, t.hour, t.minute, t.second);
  std::string out = buf;
  if (nanos) {
    char nb[16];
    std::snprintf(nb, sizeof nb, ".%09d", nanos);
    std::string n = nb;
    while (n.back() == '0') n.pop_back();
    out += n;
  }
  return out + "Z";
}

std::string FormatDuration(int64_t seconds, int32_t nanos) {
  std::string out;
  if (seconds < 0 || nanos < 0) {
    out = "-";
    seconds = -seconds;
    nanos = -nanos;
  }
  out += std::to_string(seconds);
  if (nanos) {
    char nb[16];
    std::snprintf(nb, sizeof nb, ".%09d", nanos);
    std::string n = nb;
    while (n.back() == '0') n.pop_back();
    out += n;
  }
  return out + "s";
}

}  // namespace fluxcpp::cel
