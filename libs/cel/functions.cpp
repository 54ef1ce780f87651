#include "libs/cel/functions.h"
#include "libs/cel/k8s_functions.h"

#include <cmath>
#include <cstdlib>
#include <cctype>
#include <cerrno>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <re2/re2.h>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "libs/cel/time_util.h"
#include "libs/core/utf8.h"

namespace fluxcpp::cel {

Value NoOverload(std::string_view name, const Value* args, size_t n) {
  std::string msg = "no matching overload for '" + std::string(name) + "' applied to '(";
  for (size_t i = 0; i < n; ++i) {
    if (i) msg += ", ";
    msg += args[i].TypeName();
  }
  return Value::Error(msg + ")'");
}

namespace {

#define REQUIRE(cond, name) \
  if (!(cond)) return NoOverload(name, a, n)

bool Is(const Value& v, Kind k) { return v.kind() == k; }

size_t Utf8Length(const std::string& s) {
  size_t count = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++count;
  return count;
}

// ---- arithmetic ------------------------------------------------------------

Value Overflow() { return Value::Error("integer overflow"); }

Value Mul(const Value* a, size_t n) {
  const Value& x = a[0];
  const Value& y = a[1];
  if (Is(x, Kind::kInt) && Is(y, Kind::kInt)) {
    int64_t r;
    if (__builtin_mul_overflow(x.int_value(), y.int_value(), &r)) return Overflow();
    return Value::Int(r);
  }
  if (Is(x, Kind::kUint) && Is(y, Kind::kUint)) {
    uint64_t r;
    if (__builtin_mul_overflow(x.uint_value(), y.uint_value(), &r)) return Overflow();
    return Value::Uint(r);
  }
  if (Is(x, Kind::kDouble) && Is(y, Kind::kDouble)) return Value::Double(x.double_value() * y.double_value());
  return NoOverload("_*_", a, n);
}

Value Div(const Value* a, size_t n) {
  const Value& x = a[0];
  const Value& y = a[1];
  if (Is(x, Kind::kInt) && Is(y, Kind::kInt)) {
    if (y.int_value() == 0) return Value::Error("division by zero");
    if (x.int_value() == INT64_MIN && y.int_value() == -1) return Overflow();
    return Value::Int(x.int_value() / y.int_value());
  }
  if (Is(x, Kind::kUint) && Is(y, Kind::kUint)) {
    if (y.uint_value() == 0) return Value::Error("division by zero");
    return Value::Uint(x.uint_value() / y.uint_value());
  }
  if (Is(x, Kind::kDouble) && Is(y, Kind::kDouble)) return Value::Double(x.double_value() / y.double_value());
  return NoOverload("_/_", a, n);
}

Value Mod(const Value* a, size_t n) {
  const Value& x = a[0];
  const Value& y = a[1];
  if (Is(x, Kind::kInt) && Is(y, Kind::kInt)) {
    if (y.int_value() == 0) return Value::Error("modulus by zero");
    if (x.int_value() == INT64_MIN && y.int_value() == -1) return Overflow();
    return Value::Int(x.int_value() % y.int_value());
  }
  if (Is(x, Kind::kUint) && Is(y, Kind::kUint)) {
    if (y.uint_value() == 0) return Value::Error("modulus by zero");
    return Value::Uint(x.uint_value() % y.uint_value());
  }
  return NoOverload("_%_", a, n);
}

Value Negate(const Value* a, size_t n) {
  if (Is(a[0], Kind::kInt)) {
    if (a[0].int_value() == INT64_MIN) return Overflow();
    return Value::Int(-a[0].int_value());
  }
  if (Is(a[0], Kind::kDouble)) return Value::Double(-a[0].double_value());
  if (Is(a[0], Kind::kDuration)) return Value::Duration(-a[0].seconds(), -a[0].nanos());
  return NoOverload("-_", a, n);
}

Value Not(const Value* a, size_t n) {
  REQUIRE(Is(a[0], Kind::kBool), "!_");
  return Value::Bool(!a[0].bool_value());
}

// Normalises seconds+nanos (any signs) to a duration or timestamp representation.
bool NormalizeDuration(__int128 total_nanos, int64_t* s, int32_t* ns) {
  __int128 secs = total_nanos / 1000000000;
  __int128 rem = total_nanos % 1000000000;
  if (total_nanos > kMaxDurationNanos || total_nanos < -kMaxDurationNanos) return false;
  *s = static_cast<int64_t>(secs);
  *ns = static_cast<int32_t>(rem);
  return true;
}
__int128 Nanos(const Value& v) { return static_cast<__int128>(v.seconds()) * 1000000000 + v.nanos(); }

Value MakeTimestamp(__int128 nanos) {
  __int128 secs = nanos / 1000000000;
  __int128 rem = nanos % 1000000000;
  if (rem < 0) { rem += 1000000000; secs -= 1; }
  if (secs < kMinTimestampSeconds || secs > kMaxTimestampSeconds) return Value::Error("timestamp overflow");
  return Value::Timestamp(static_cast<int64_t>(secs), static_cast<int32_t>(rem));
}
Value MakeDuration(__int128 nanos) {
  int64_t s;
  int32_t ns;
  if (!NormalizeDuration(nanos, &s, &ns)) return Value::Error("duration overflow");
  return Value::Duration(s, ns);
}

// ---- comparisons -----------------------------------------------------------

Value Relation(const char* name, const Value* a, size_t n, bool (*pred)(int)) {
  bool unordered = false;
  auto c = Compare(a[0], a[1], &unordered);
  if (!c) {
    if (unordered) return Value::Bool(false);
    return NoOverload(name, a, n);
  }
  return Value::Bool(pred(*c));
}
Value Less(const Value* a, size_t n) { return Relation("_<_", a, n, [](int c) { return c < 0; }); }
Value LessEq(const Value* a, size_t n) { return Relation("_<=_", a, n, [](int c) { return c <= 0; }); }
Value Greater(const Value* a, size_t n) { return Relation("_>_", a, n, [](int c) { return c > 0; }); }
Value GreaterEq(const Value* a, size_t n) { return Relation("_>=_", a, n, [](int c) { return c >= 0; }); }
Value Eq(const Value* a, size_t) { return Value::Bool(Equal(a[0], a[1])); }
Value Ne(const Value* a, size_t) { return Value::Bool(!Equal(a[0], a[1])); }
Value AddFn(const Value* a, size_t) { return Add(a[0], a[1]); }
Value SubFn(const Value* a, size_t) { return Subtract(a[0], a[1]); }
Value IndexFn(const Value* a, size_t) { return Index(a[0], a[1]); }
Value InFn(const Value* a, size_t) { return In(a[0], a[1]); }

// ---- size / strings --------------------------------------------------------

Value Size(const Value* a, size_t n) {
  REQUIRE(n == 1, "size");
  switch (a[0].kind()) {
    case Kind::kString: return Value::Int(static_cast<int64_t>(Utf8Length(a[0].str())));
    case Kind::kBytes: return Value::Int(static_cast<int64_t>(a[0].str().size()));
    case Kind::kList: return Value::Int(static_cast<int64_t>(a[0].list().size()));
    case Kind::kMap: return Value::Int(static_cast<int64_t>(a[0].map().size()));
    default: return NoOverload("size", a, n);
  }
}

Value Contains(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kString) && Is(a[1], Kind::kString), "contains");
  return Value::Bool(a[0].str().find(a[1].str()) != std::string::npos);
}
Value StartsWith(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kString) && Is(a[1], Kind::kString), "startsWith");
  return Value::Bool(a[0].str().compare(0, a[1].str().size(), a[1].str()) == 0);
}
Value EndsWith(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kString) && Is(a[1], Kind::kString), "endsWith");
  const auto& s = a[0].str();
  const auto& t = a[1].str();
  return Value::Bool(s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0);
}


Value Matches(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kString) && Is(a[1], Kind::kString), "matches");
  std::string err;
  const RE2* re = CompiledRegex(a[1].str(), &err);
  if (!re) return Value::Error("invalid regular expression '" + a[1].str() + "': " + err);
  return Value::Bool(RE2::PartialMatch(a[0].str(), *re));
}

// ---- conversions -----------------------------------------------------------

Value ToInt(const Value* a, size_t n) {
  REQUIRE(n == 1, "int");
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kInt: return v;
    case Kind::kUint:
      if (v.uint_value() > static_cast<uint64_t>(INT64_MAX)) return Value::Error("range error converting uint to int");
      return Value::Int(static_cast<int64_t>(v.uint_value()));
    case Kind::kDouble: {
      double d = v.double_value();
      if (!(d > -9223372036854775808.0 && d < 9223372036854775807.0))
        return Value::Error("range error converting double to int");
      return Value::Int(static_cast<int64_t>(d));
    }
    case Kind::kString: {
      const std::string& s = v.str();
      char* end = nullptr;
      errno = 0;
      long long r = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || errno == ERANGE || std::isspace(static_cast<unsigned char>(s[0])))
        return Value::Error("cannot convert string '" + s + "' to int");
      return Value::Int(r);
    }
    case Kind::kTimestamp: return Value::Int(v.seconds());
    case Kind::kDuration: return Value::Int(v.seconds() * 1000000000 + v.nanos());  // nanoseconds
    default: return NoOverload("int", a, n);
  }
}

Value ToUint(const Value* a, size_t n) {
  REQUIRE(n == 1, "uint");
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kUint: return v;
    case Kind::kInt:
      if (v.int_value() < 0) return Value::Error("range error converting int to uint");
      return Value::Uint(static_cast<uint64_t>(v.int_value()));
    case Kind::kDouble: {
      double d = v.double_value();
      if (!(d >= 0 && d < 18446744073709551616.0)) return Value::Error("range error converting double to uint");
      return Value::Uint(static_cast<uint64_t>(d));
    }
    case Kind::kString: {
      const std::string& s = v.str();
      char* end = nullptr;
      errno = 0;
      if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0])))
        return Value::Error("cannot convert string '" + s + "' to uint");
      unsigned long long r = std::strtoull(s.c_str(), &end, 10);
      if (*end != '\0' || errno == ERANGE) return Value::Error("cannot convert string '" + s + "' to uint");
      return Value::Uint(r);
    }
    default: return NoOverload("uint", a, n);
  }
}

Value ToDouble(const Value* a, size_t n) {
  REQUIRE(n == 1, "double");
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kDouble: return v;
    case Kind::kInt: return Value::Double(static_cast<double>(v.int_value()));
    case Kind::kUint: return Value::Double(static_cast<double>(v.uint_value()));
    case Kind::kString: {
      const std::string& s = v.str();
      char* end = nullptr;
      if (s.empty() || std::isspace(static_cast<unsigned char>(s[0])))
        return Value::Error("cannot convert string '" + s + "' to double");
      double d = std::strtod(s.c_str(), &end);
      if (*end != '\0') return Value::Error("cannot convert string '" + s + "' to double");
      return Value::Double(d);
    }
    default: return NoOverload("double", a, n);
  }
}

Value ToString(const Value* a, size_t n) {
  REQUIRE(n == 1, "string");
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kString: return v;
    case Kind::kInt: return Value::String(std::to_string(v.int_value()));
    case Kind::kUint: return Value::String(std::to_string(v.uint_value()));
    case Kind::kDouble: return Value::String(FormatDouble(v.double_value()));
    case Kind::kBool: return Value::String(v.bool_value() ? "true" : "false");
    case Kind::kBytes:
      if (!utf8::IsValid(v.str())) return Value::Error("invalid UTF-8 in bytes, cannot convert to string");
      return Value::String(v.str());
    case Kind::kTimestamp: return Value::String(FormatTimestamp(v.seconds(), v.nanos()));
    case Kind::kDuration: return Value::String(FormatDuration(v.seconds(), v.nanos()));
    case Kind::kOpaque:
      if (auto str = v.opaque().ToCelString()) return Value::String(*str);
      return NoOverload("string", a, n);
    default: return NoOverload("string", a, n);
  }
}

Value ToBytes(const Value* a, size_t n) {
  REQUIRE(n == 1 && (Is(a[0], Kind::kBytes) || Is(a[0], Kind::kString)), "bytes");
  return Value::Bytes(a[0].str());
}

Value ToBool(const Value* a, size_t n) {
  REQUIRE(n == 1, "bool");
  if (Is(a[0], Kind::kBool)) return a[0];
  REQUIRE(Is(a[0], Kind::kString), "bool");
  const std::string& s = a[0].str();
  if (s == "1" || s == "t" || s == "true" || s == "TRUE" || s == "True") return Value::Bool(true);
  if (s == "0" || s == "f" || s == "false" || s == "FALSE" || s == "False") return Value::Bool(false);
  return Value::Error("type conversion error from 'string' to 'bool': '" + s + "'");
}

Value TypeOf(const Value* a, size_t n) {
  REQUIRE(n == 1, "type");
  return Value::Type(a[0].TypeName());
}

Value Dyn(const Value* a, size_t n) {
  REQUIRE(n == 1, "dyn");
  return a[0];
}

// ---- timestamps / durations ------------------------------------------------

Value ToTimestamp(const Value* a, size_t n) {
  REQUIRE(n == 1, "timestamp");
  if (Is(a[0], Kind::kTimestamp)) return a[0];
  if (Is(a[0], Kind::kInt)) return MakeTimestamp(static_cast<__int128>(a[0].int_value()) * 1000000000);
  REQUIRE(Is(a[0], Kind::kString), "timestamp");
  auto r = ParseTimestamp(a[0].str());
  if (!r.ok()) return Value::Error(std::string(r.status().message()));
  return Value::Timestamp(r->first, r->second);
}

Value ToDuration(const Value* a, size_t n) {
  REQUIRE(n == 1, "duration");
  if (Is(a[0], Kind::kDuration)) return a[0];
  REQUIRE(Is(a[0], Kind::kString), "duration");
  auto r = ParseDuration(a[0].str());
  if (!r.ok()) return Value::Error(std::string(r.status().message()));
  return Value::Duration(r->first, r->second);
}

// Timestamp/duration accessors share one implementation keyed by field.
enum class Field { kFullYear, kMonth, kDate, kDayOfMonth, kDayOfWeek, kDayOfYear, kHours, kMinutes, kSeconds, kMillis };

Value TimeField(const char* name, Field f, const Value* a, size_t n) {
  if (n == 1 && Is(a[0], Kind::kDuration)) {
    __int128 ns = Nanos(a[0]);
    switch (f) {
      case Field::kHours: return Value::Int(static_cast<int64_t>(ns / 3600000000000LL));
      case Field::kMinutes: return Value::Int(static_cast<int64_t>(ns / 60000000000LL));
      case Field::kSeconds: return Value::Int(static_cast<int64_t>(ns / 1000000000));
      case Field::kMillis: return Value::Int(static_cast<int64_t>(ns / 1000000));  // total, as Go's Milliseconds()
      default: return NoOverload(name, a, n);
    }
  }
  REQUIRE((n == 1 || (n == 2 && Is(a[1], Kind::kString))) && Is(a[0], Kind::kTimestamp), name);
  int64_t offset = 0;
  if (n == 2) {
    auto off = ParseZoneOffset(a[1].str());
    if (off) {
      offset = *off;
    } else {
      // IANA names ("Europe/Paris") from the system zoneinfo database.
      absl::TimeZone tz;
      if (!absl::LoadTimeZone(a[1].str(), &tz)) return Value::Error("unknown time zone '" + a[1].str() + "'");
      offset = tz.At(absl::FromUnixSeconds(a[0].seconds())).offset;
    }
  }
  CivilTime t = ToCivil(a[0].seconds(), offset);
  switch (f) {
    case Field::kFullYear: return Value::Int(t.year);
    case Field::kMonth: return Value::Int(t.month - 1);
    case Field::kDate: return Value::Int(t.day);
    case Field::kDayOfMonth: return Value::Int(t.day - 1);
    case Field::kDayOfWeek: return Value::Int(t.day_of_week);
    case Field::kDayOfYear: return Value::Int(t.day_of_year);
    case Field::kHours: return Value::Int(t.hour);
    case Field::kMinutes: return Value::Int(t.minute);
    case Field::kSeconds: return Value::Int(t.second);
    case Field::kMillis: return Value::Int(a[0].nanos() / 1000000);
  }
  return NoOverload(name, a, n);
}

#define TIME_FIELD(fn, name, field) \
  Value fn(const Value* a, size_t n) { return TimeField(name, field, a, n); }
TIME_FIELD(GetFullYear, "getFullYear", Field::kFullYear)
TIME_FIELD(GetMonth, "getMonth", Field::kMonth)
TIME_FIELD(GetDate, "getDate", Field::kDate)
TIME_FIELD(GetDayOfMonth, "getDayOfMonth", Field::kDayOfMonth)
TIME_FIELD(GetDayOfWeek, "getDayOfWeek", Field::kDayOfWeek)
TIME_FIELD(GetDayOfYear, "getDayOfYear", Field::kDayOfYear)
TIME_FIELD(GetHours, "getHours", Field::kHours)
TIME_FIELD(GetMinutes, "getMinutes", Field::kMinutes)
TIME_FIELD(GetSeconds, "getSeconds", Field::kSeconds)
TIME_FIELD(GetMilliseconds, "getMilliseconds", Field::kMillis)

// ---- ext.Sets --------------------------------------------------------------

bool ListContains(const ListValue& list, const Value& v) {
  for (const auto& e : list)
    if (Equal(e, v)) return true;
  return false;
}

Value SetsContains(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kList) && Is(a[1], Kind::kList), "sets.contains");
  for (const auto& e : a[1].list())
    if (!ListContains(a[0].list(), e)) return Value::Bool(false);
  return Value::Bool(true);
}
Value SetsEquivalent(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kList) && Is(a[1], Kind::kList), "sets.equivalent");
  for (const auto& e : a[1].list())
    if (!ListContains(a[0].list(), e)) return Value::Bool(false);
  for (const auto& e : a[0].list())
    if (!ListContains(a[1].list(), e)) return Value::Bool(false);
  return Value::Bool(true);
}
Value SetsIntersects(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kList) && Is(a[1], Kind::kList), "sets.intersects");
  for (const auto& e : a[1].list())
    if (ListContains(a[0].list(), e)) return Value::Bool(true);
  return Value::Bool(false);
}

// ---- ext.Encoders ----------------------------------------------------------

Value Base64Encode(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kBytes), "base64.encode");
  return Value::String(absl::Base64Escape(a[0].str()));
}
Value Base64Decode(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kString), "base64.decode");
  std::string out;
  std::string in = a[0].str();
  // Accept both padded and unpadded standard encodings (as cel-go does).
  if (!absl::Base64Unescape(in, &out)) return Value::Error("illegal base64 data in '" + in + "'");
  return Value::Bytes(out);
}

// ---- OptionalTypes ---------------------------------------------------------

Value OptionalOf(const Value* a, size_t n) {
  REQUIRE(n == 1, "optional.of");
  return Value::OptionalOf(a[0]);
}
Value OptionalNone(const Value* a, size_t n) {
  REQUIRE(n == 0, "optional.none");
  return Value::OptionalNone();
}
Value OptionalOfNonZero(const Value* a, size_t n) {
  REQUIRE(n == 1, "optional.ofNonZeroValue");
  if (IsZeroValue(a[0])) return Value::OptionalNone();
  return Value::OptionalOf(a[0]);
}
Value OptHasValue(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kOptional), "hasValue");
  return Value::Bool(a[0].optional_value() != nullptr);
}
Value OptValue(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kOptional), "value");
  if (!a[0].optional_value()) return Value::Error("optional.none() dereference");
  return *a[0].optional_value();
}
Value OptOrValue(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kOptional), "orValue");
  return a[0].optional_value() ? *a[0].optional_value() : a[1];
}
Value OptOr(const Value* a, size_t n) {
  REQUIRE(n == 2 && Is(a[0], Kind::kOptional) && Is(a[1], Kind::kOptional), "or");
  return a[0].optional_value() ? a[0] : a[1];
}
Value ListFirst(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kList), "first");
  if (a[0].list().empty()) return Value::OptionalNone();
  return Value::OptionalOf(a[0].list().front());
}
Value ListLast(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kList), "last");
  if (a[0].list().empty()) return Value::OptionalNone();
  return Value::OptionalOf(a[0].list().back());
}
Value OptUnwrap(const Value* a, size_t n) {
  REQUIRE(n == 1 && Is(a[0], Kind::kList), "optional.unwrap");
  ListValue out;
  for (const auto& e : a[0].list()) {
    if (!Is(e, Kind::kOptional)) return NoOverload("optional.unwrap", a, n);
    if (e.optional_value()) out.push_back(*e.optional_value());
  }
  return Value::List(std::move(out));
}

const std::vector<Builtin>& StandardTable();

// The standard table, then the Kubernetes libraries (k8s_functions.h).
const std::vector<Builtin>& Table() {
  static const std::vector<Builtin> table = [] {
    std::vector<Builtin> t = StandardTable();
    const auto& k8s = KubernetesBuiltins();
    t.insert(t.end(), k8s.begin(), k8s.end());
    return t;
  }();
  return table;
}

const std::vector<Builtin>& StandardTable() {
  static const std::vector<Builtin> table = {
      {"_*_", Mul, true, false},
      {"_/_", Div, true, false},
      {"_%_", Mod, true, false},
      {"_+_", AddFn, true, false},
      {"_-_", SubFn, true, false},
      {"-_", Negate, true, false},
      {"!_", Not, true, false},
      {"_<_", Less, true, false},
      {"_<=_", LessEq, true, false},
      {"_>_", Greater, true, false},
      {"_>=_", GreaterEq, true, false},
      {"_==_", Eq, true, false},
      {"_!=_", Ne, true, false},
      {"_[_]", IndexFn, true, false},
      {"@in", InFn, true, false},
      {"size", Size, true, true},
      {"contains", Contains, false, true},
      {"startsWith", StartsWith, false, true},
      {"endsWith", EndsWith, false, true},
      {"matches", Matches, true, true},
      {"int", ToInt, true, false},
      {"uint", ToUint, true, false},
      {"double", ToDouble, true, false},
      {"string", ToString, true, false},
      {"bytes", ToBytes, true, false},
      {"bool", ToBool, true, false},
      {"type", TypeOf, true, false},
      {"dyn", Dyn, true, false},
      {"timestamp", ToTimestamp, true, false},
      {"duration", ToDuration, true, false},
      {"getFullYear", GetFullYear, false, true},
      {"getMonth", GetMonth, false, true},
      {"getDate", GetDate, false, true},
      {"getDayOfMonth", GetDayOfMonth, false, true},
      {"getDayOfWeek", GetDayOfWeek, false, true},
      {"getDayOfYear", GetDayOfYear, false, true},
      {"getHours", GetHours, false, true},
      {"getMinutes", GetMinutes, false, true},
      {"getSeconds", GetSeconds, false, true},
      {"getMilliseconds", GetMilliseconds, false, true},
      {"sets.contains", SetsContains, true, false},
      {"sets.equivalent", SetsEquivalent, true, false},
      {"sets.intersects", SetsIntersects, true, false},
      {"base64.encode", Base64Encode, true, false},
      {"base64.decode", Base64Decode, true, false},
      {"optional.of", OptionalOf, true, false},
      {"optional.none", OptionalNone, true, false},
      {"optional.ofNonZeroValue", OptionalOfNonZero, true, false},
      {"optional.unwrap", OptUnwrap, true, false},
      {"unwrapOpt", OptUnwrap, false, true},
      {"hasValue", OptHasValue, false, true},
      {"value", OptValue, false, true},
      {"orValue", OptOrValue, false, true},
      {"or", OptOr, false, true},
      {"first", ListFirst, false, true},
      {"last", ListLast, false, true},
      {"format", StringFormat, false, true},
      {"strings.quote", StringQuote, true, false},
      {"charAt", StringCharAt, false, true},
      {"indexOf", StringIndexOf, false, true},
      {"lastIndexOf", StringLastIndexOf, false, true},
      {"lowerAscii", StringLowerAscii, false, true},
      {"upperAscii", StringUpperAscii, false, true},
      {"replace", StringReplace, false, true},
      {"split", StringSplit, false, true},
      {"substring", StringSubstring, false, true},
      {"trim", StringTrim, false, true},
      {"join", StringJoin, false, true},
      {"reverse", StringReverse, false, true},
  };
  return table;
}

}  // namespace

// A small per-thread cache of compiled patterns (evaluation is multi-threaded).
const RE2* CompiledRegex(const std::string& pattern, std::string* error) {
  thread_local std::unordered_map<std::string, std::unique_ptr<RE2>> cache;
  auto it = cache.find(pattern);
  if (it != cache.end()) return it->second.get();
  if (cache.size() > 128) cache.clear();
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, opts);
  if (!re->ok()) {
    *error = re->error();
    return nullptr;
  }
  const RE2* out = re.get();
  cache.emplace(pattern, std::move(re));
  return out;
}

int LookupBuiltin(std::string_view name, bool kubernetes) {
  // Standard names; with `kubernetes`, the Kubernetes libraries' entries
  // (which also handle the standard overloads of a name they share).
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, int>();
    const size_t standard = StandardTable().size();
    for (size_t i = 0; i < standard; ++i) m->emplace(Table()[i].name, static_cast<int>(i));
    return m;
  }();
  static const auto* k8s_index = [] {
    auto* m = new std::unordered_map<std::string_view, int>(*index);
    const auto& t = Table();
    for (size_t i = StandardTable().size(); i < t.size(); ++i) (*m)[t[i].name] = static_cast<int>(i);
    return m;
  }();
  const auto* idx = kubernetes ? k8s_index : index;
  auto it = idx->find(name);
  return it == idx->end() ? -1 : it->second;
}

const Builtin& GetBuiltin(int id) { return Table()[id]; }

Value Add(const Value& x, const Value& y) {
  Value a[2] = {x, y};
  if (Is(x, Kind::kInt) && Is(y, Kind::kInt)) {
    int64_t r;
    if (__builtin_add_overflow(x.int_value(), y.int_value(), &r)) return Overflow();
    return Value::Int(r);
  }
  if (Is(x, Kind::kUint) && Is(y, Kind::kUint)) {
    uint64_t r;
    if (__builtin_add_overflow(x.uint_value(), y.uint_value(), &r)) return Overflow();
    return Value::Uint(r);
  }
  if (Is(x, Kind::kDouble) && Is(y, Kind::kDouble)) return Value::Double(x.double_value() + y.double_value());
  if (Is(x, Kind::kString) && Is(y, Kind::kString)) return Value::String(x.str() + y.str());
  if (Is(x, Kind::kBytes) && Is(y, Kind::kBytes)) return Value::Bytes(x.str() + y.str());
  if (Is(x, Kind::kList) && Is(y, Kind::kList)) {
    if (y.list().empty()) return x;
    if (x.list().empty()) return y;
    ListValue out = x.list();
    out.insert(out.end(), y.list().begin(), y.list().end());
    return Value::List(std::move(out));
  }
  if (Is(x, Kind::kDuration) && Is(y, Kind::kDuration)) return MakeDuration(Nanos(x) + Nanos(y));
  if (Is(x, Kind::kTimestamp) && Is(y, Kind::kDuration)) return MakeTimestamp(Nanos(x) + Nanos(y));
  if (Is(x, Kind::kDuration) && Is(y, Kind::kTimestamp)) return MakeTimestamp(Nanos(x) + Nanos(y));
  return NoOverload("_+_", a, 2);
}

Value Subtract(const Value& x, const Value& y) {
  Value a[2] = {x, y};
  if (Is(x, Kind::kInt) && Is(y, Kind::kInt)) {
    int64_t r;
    if (__builtin_sub_overflow(x.int_value(), y.int_value(), &r)) return Overflow();
    return Value::Int(r);
  }
  if (Is(x, Kind::kUint) && Is(y, Kind::kUint)) {
    uint64_t r;
    if (__builtin_sub_overflow(x.uint_value(), y.uint_value(), &r)) return Overflow();
    return Value::Uint(r);
  }
  if (Is(x, Kind::kDouble) && Is(y, Kind::kDouble)) return Value::Double(x.double_value() - y.double_value());
  if (Is(x, Kind::kDuration) && Is(y, Kind::kDuration)) return MakeDuration(Nanos(x) - Nanos(y));
  if (Is(x, Kind::kTimestamp) && Is(y, Kind::kDuration)) return MakeTimestamp(Nanos(x) - Nanos(y));
  if (Is(x, Kind::kTimestamp) && Is(y, Kind::kTimestamp)) return MakeDuration(Nanos(x) - Nanos(y));
  return NoOverload("_-_", a, 2);
}

Value Index(const Value& c, const Value& k) {
  if (Is(c, Kind::kList)) {
    int64_t i;
    if (Is(k, Kind::kInt)) {
      i = k.int_value();
    } else if (Is(k, Kind::kUint)) {
      i = k.uint_value() > static_cast<uint64_t>(INT64_MAX) ? -1 : static_cast<int64_t>(k.uint_value());
    } else if (Is(k, Kind::kDouble) && k.double_value() == std::trunc(k.double_value()) &&
               std::fabs(k.double_value()) < 9.2e18) {
      i = static_cast<int64_t>(k.double_value());
    } else {
      Value a[2] = {c, k};
      if (Is(k, Kind::kDouble)) return Value::Error("unsupported index value " + k.DebugString());
      return NoOverload("_[_]", a, 2);
    }
    if (i < 0 || static_cast<size_t>(i) >= c.list().size())
      return Value::Error("index out of range: " + std::to_string(i));
    return c.list()[i];
  }
  if (Is(c, Kind::kMap)) {
    if (!Is(k, Kind::kString) && !Is(k, Kind::kInt) && !Is(k, Kind::kUint) && !Is(k, Kind::kBool) &&
        !Is(k, Kind::kDouble))
      return Value::Error("unsupported key type: " + k.TypeName());
    const Value* v = c.map().Find(k);
    if (!v) return Value::Error("no such key: " + (Is(k, Kind::kString) ? k.str() : k.DebugString()));
    return *v;
  }
  if (Is(c, Kind::kOptional)) {
    if (!c.optional_value()) return c;
    Value r = Index(*c.optional_value(), k);
    if (r.is_error()) {
      // Missing keys / indexes on an optional give optional.none().
      if (r.str().rfind("no such key", 0) == 0 || r.str().rfind("index out of range", 0) == 0)
        return Value::OptionalNone();
      return r;
    }
    return Value::OptionalOf(std::move(r));
  }
  Value a[2] = {c, k};
  return NoOverload("_[_]", a, 2);
}

Value In(const Value& e, const Value& c) {
  if (Is(c, Kind::kList)) return Value::Bool(ListContains(c.list(), e));
  if (Is(c, Kind::kMap)) return Value::Bool(c.map().Find(e) != nullptr);
  Value a[2] = {e, c};
  return NoOverload("@in", a, 2);
}

Value SelectField(const Value& operand, const std::string& field) {
  if (Is(operand, Kind::kMap)) {
    const Value* v = operand.map().FindString(field);
    if (!v) return Value::Error("no such key: " + field);
    return *v;
  }
  if (Is(operand, Kind::kOptional)) {
    if (!operand.optional_value()) return operand;
    const Value& inner = *operand.optional_value();
    if (Is(inner, Kind::kMap)) {
      const Value* v = inner.map().FindString(field);
      if (!v) return Value::OptionalNone();
      return Value::OptionalOf(*v);
    }
    Value r = SelectField(inner, field);
    if (r.is_error()) return r;
    return Value::OptionalOf(std::move(r));
  }
  return Value::Error("type '" + operand.TypeName() + "' does not support field selection");
}

bool IsZeroValue(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull: return true;
    case Kind::kBool: return !v.bool_value();
    case Kind::kInt: return v.int_value() == 0;
    case Kind::kUint: return v.uint_value() == 0;
    case Kind::kDouble: return v.double_value() == 0;
    case Kind::kString:
    case Kind::kBytes: return v.str().empty();
    case Kind::kList: return v.list().empty();
    case Kind::kMap: return v.map().size() == 0;
    case Kind::kOptional: return v.optional_value() == nullptr;
    case Kind::kTimestamp:
    case Kind::kDuration: return v.seconds() == 0 && v.nanos() == 0;
    default: return false;
  }
}

}  // namespace fluxcpp::cel
