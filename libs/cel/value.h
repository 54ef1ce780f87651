#pragma once
// cel::Value: the runtime value of a CEL expression.
//
// Kinds: null, bool, int (int64), uint (uint64), double, string (UTF-8),
// bytes, list, map, type, optional, timestamp, duration and error. int, uint
// and double are distinct kinds; equality across them is numeric (CEL's
// heterogeneous equality). Lists and maps share their storage (copying a
// Value is cheap); values are immutable once built.
// An error is a value too, so `&&`/`||` can absorb it; Evaluate() turns a
// final error value into a non-ok absl::Status.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fluxcpp::cel {

enum class Kind {
  kNull, kBool, kInt, kUint, kDouble, kString, kBytes, kList, kMap,
  kType, kOptional, kTimestamp, kDuration, kError,
  kOpaque,  // a library type (Kubernetes URL, Quantity...), see OpaqueValue
};

class Value;
class MapValue;

// Payload of a library-defined type (libs/cel/k8s_functions.h). Immutable.
class OpaqueValue {
 public:
  virtual ~OpaqueValue() = default;
  virtual std::string TypeName() const = 0;  // "kubernetes.URL"
  // Called only with a payload of the same TypeName().
  virtual bool Equals(const OpaqueValue& other) const = 0;
  virtual std::string DebugString() const = 0;
  // What string(x) gives, when the type supports the conversion.
  virtual std::optional<std::string> ToCelString() const { return std::nullopt; }
};
using ListValue = std::vector<Value>;

class Value {
 public:
  Value() : kind_(Kind::kNull) {}
  static Value Null() { return Value(); }
  static Value Bool(bool b) { Value v(Kind::kBool); v.i_ = b ? 1 : 0; return v; }
  static Value Int(int64_t i) { Value v(Kind::kInt); v.i_ = i; return v; }
  static Value Uint(uint64_t u) { Value v(Kind::kUint); v.u_ = u; return v; }
  static Value Double(double d) { Value v(Kind::kDouble); v.d_ = d; return v; }
  static Value String(std::string s);
  static Value Bytes(std::string s);
  static Value List(ListValue items);
  static Value Map(std::shared_ptr<const MapValue> map);
  // A type value, named as CEL prints it ("int", "list", "google.protobuf.Timestamp").
  static Value Type(std::string name);
  static Value OptionalNone();
  static Value OptionalOf(Value inner);
  // seconds + nanos since the Unix epoch (UTC); nanos in [0, 1e9).
  static Value Timestamp(int64_t seconds, int32_t nanos);
  // seconds + nanos, both with the same sign, |nanos| < 1e9.
  static Value Duration(int64_t seconds, int32_t nanos);
  static Value Error(std::string message);
  static Value Opaque(std::shared_ptr<const OpaqueValue> payload);

  Kind kind() const { return kind_; }
  bool is_error() const { return kind_ == Kind::kError; }
  bool bool_value() const { return i_ != 0; }
  int64_t int_value() const { return i_; }
  uint64_t uint_value() const { return u_; }
  double double_value() const { return d_; }
  // string, bytes, type name, error message.
  const std::string& str() const { return *static_cast<const std::string*>(ptr_.get()); }
  const ListValue& list() const { return *static_cast<const ListValue*>(ptr_.get()); }
  const MapValue& map() const { return *static_cast<const MapValue*>(ptr_.get()); }
  // Optional: nullptr when none.
  const Value* optional_value() const { return static_cast<const Value*>(ptr_.get()); }
  int64_t seconds() const { return i_; }
  int32_t nanos() const { return nanos_; }
  const OpaqueValue& opaque() const { return *static_cast<const OpaqueValue*>(ptr_.get()); }

  // CEL type name of this value ("int", "map", "optional_type", ...).
  std::string TypeName() const;
  // Human-readable rendering for messages and tests (CEL-like literal syntax).
  std::string DebugString() const;

 private:
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_;
  union {
    int64_t i_ = 0;
    uint64_t u_;
    double d_;
  };
  int32_t nanos_ = 0;
  // Shared payload, by kind: std::string (string, bytes, type, error),
  // ListValue, MapValue, Value (optional with a value) or OpaqueValue.
  std::shared_ptr<const void> ptr_;
};

// Map with insertion-ordered entries. Keys are int, uint, bool or string;
// int and uint keys with the same numeric value are the same key.
class MapValue {
 public:
  // Adds an entry; false when the key is already present or not a valid key kind.
  bool Insert(Value key, Value value);
  // Looks a key up (double keys match integral int/uint keys); nullptr if absent.
  const Value* Find(const Value& key) const;
  // Looks a string key up without building a Value.
  const Value* FindString(std::string_view key) const;
  const std::vector<std::pair<Value, Value>>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::vector<std::pair<Value, Value>> entries_;
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> strings_;  // string keys
  std::unordered_map<std::string, size_t> others_;                          // MapKeyOf() of other keys
};

// Encodes a key for lookup; nullopt when the value cannot be a map key
// (doubles encode only when integral, so they can still find int keys).
std::optional<std::string> MapKeyOf(const Value& key);

// CEL equality with heterogeneous numeric comparison (NaN equals nothing).
// Values of unrelated kinds are unequal. Callers handle error values first.
bool Equal(const Value& a, const Value& b);

// Ordering for <, <=, >, >=: -1/0/1, or nullopt when the kinds cannot be
// compared (or a NaN is involved: then `unordered` is set to true).
std::optional<int> Compare(const Value& a, const Value& b, bool* unordered);

// Formats a double as Go's %g does (shortest round-trip digits, exponent form
// below 1e-4 or from 1e`exp_threshold`): string(double) uses 6, like cel-go.
std::string FormatDouble(double d, int exp_threshold = 6);
// RFC 3339 rendering of a timestamp (UTC, 'Z', fractional seconds trimmed).
std::string FormatTimestamp(int64_t seconds, int32_t nanos);
// Duration rendered as seconds with an 's' suffix ("1.5s").
std::string FormatDuration(int64_t seconds, int32_t nanos);

}  // namespace fluxcpp::cel
