// Kubernetes CEL quantity library: quantity(), isQuantity() and Quantity
// arithmetic/comparison, parsing as k8s.io/apimachinery resource.ParseQuantity
// (decimal SI, binary SI and exponent suffixes; precision below 1n is rounded
// away from zero). Values are exact: mantissa * 10^scale.
#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "libs/cel/k8s_functions.h"

namespace fluxcpp::cel {
namespace {

using i128 = __int128;
constexpr int kMaxDigits = 36;

int Digits(i128 m) {
  if (m < 0) m = -m;
  int d = 0;
  while (m > 0) { m /= 10; ++d; }
  return d;
}
std::optional<i128> Pow10(int e) {
  if (e < 0 || e > 37) return std::nullopt;
  i128 r = 1;
  for (int i = 0; i < e; ++i) r *= 10;
  return r;
}

struct Quantity final : OpaqueValue {
  i128 mantissa = 0;
  int scale = 0;  // value = mantissa * 10^scale
  std::string text;

  void Normalize() {
    if (mantissa == 0) { scale = 0; return; }
    while (mantissa % 10 == 0) { mantissa /= 10; ++scale; }
  }
  std::string TypeName() const override { return "kubernetes.Quantity"; }
  bool Equals(const OpaqueValue& o) const override;
  std::string DebugString() const override { return "quantity(\"" + text + "\")"; }
};

int Sign(i128 m) { return m < 0 ? -1 : (m > 0 ? 1 : 0); }

int CompareQ(const Quantity& a, const Quantity& b) {
  int sa = Sign(a.mantissa), sb = Sign(b.mantissa);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int oa = Digits(a.mantissa) + a.scale, ob = Digits(b.mantissa) + b.scale;
  if (oa != ob) return (oa < ob ? -1 : 1) * sa;
  int s = std::min(a.scale, b.scale);
  i128 x = a.mantissa * *Pow10(a.scale - s), y = b.mantissa * *Pow10(b.scale - s);
  return x < y ? -1 : (x > y ? 1 : 0);
}
bool Quantity::Equals(const OpaqueValue& o) const { return CompareQ(*this, static_cast<const Quantity&>(o)) == 0; }

// Whether a suffix matches the format's [eEinumkKMGTP]*[-+]?[0-9]* (then it is
// only an unknown suffix, not a malformed quantity).
bool SuffixShape(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::strchr("eEinumkKMGTP", s[i]) != nullptr) ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  return i == s.size();
}

const char* kFormatError =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

std::shared_ptr<Quantity> ParseQuantity(const std::string& s, std::string* error) {
  auto fail = [&](const char* why) {
    *error = why;
    return nullptr;
  };
  if (s.empty()) return fail(kFormatError);
  size_t i = 0;
  bool negative = false;
  if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
  i128 m = 0;
  int scale = 0, digits = 0, sig = 0;
  bool dot = false;
  for (; i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'); ++i) {
    if (s[i] == '.') {
      if (dot) return fail(kFormatError);
      dot = true;
      continue;
    }
    ++digits;
    if (m == 0 && s[i] == '0') {
      if (dot) --scale;
      continue;
    }
    if (sig >= kMaxDigits) {  // beyond the kept precision: only the magnitude matters
      if (!dot) ++scale;
      continue;
    }
    m = m * 10 + (s[i] - '0');
    ++sig;
    if (dot) --scale;
  }
  if (digits == 0) return fail(kFormatError);
  std::string suffix = s.substr(i);
  int exp10 = 0, pow2 = 0;
  static const char* kBinary[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  static const std::pair<const char*, int> kDecimal[] = {{"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3},
                                                          {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  bool known = false;
  for (int b = 0; b < 6; ++b)
    if (suffix == kBinary[b]) { pow2 = 10 * (b + 1); known = true; }
  for (const auto& [name, e] : kDecimal)
    if (suffix == name) { exp10 = e; known = true; }
  if (!known && !SuffixShape(suffix)) return fail(kFormatError);
  if (!known) {
    if (suffix.size() >= 2 && (suffix[0] == 'e' || suffix[0] == 'E')) {
      size_t j = 1;
      if (suffix[j] == '+' || suffix[j] == '-') ++j;
      if (j == suffix.size()) return fail("unable to parse quantity's suffix");
      for (size_t k = j; k < suffix.size(); ++k)
        if (!std::isdigit(static_cast<unsigned char>(suffix[k]))) return fail("unable to parse quantity's suffix");
      if (suffix.size() - j > 6) return fail("unable to parse quantity's suffix");
      exp10 = std::stoi(suffix.substr(1));
    } else {
      return fail("unable to parse quantity's suffix");
    }
  }
  auto q = std::make_shared<Quantity>();
  q->text = s;
  q->mantissa = negative ? -m : m;
  q->scale = scale + exp10;
  for (int k = 0; k < pow2; ++k) {
    if (Digits(q->mantissa) >= 37) {
      q->mantissa /= 10;  // keep the magnitude; precision beyond 36 digits is dropped
      ++q->scale;
    }
    q->mantissa *= 2;
  }
  // Below nano precision: round away from zero to 1n.
  if (q->scale < -9) {
    int drop = -9 - q->scale;
    bool inexact = false;
    for (int k = 0; k < drop && q->mantissa != 0; ++k) {
      if (q->mantissa % 10 != 0) inexact = true;
      q->mantissa /= 10;
    }
    if (inexact) q->mantissa += negative ? -1 : 1;
    q->scale = -9;
  }
  q->Normalize();
  return q;
}

const Quantity* AsQ(const Value& v) {
  if (v.kind() != Kind::kOpaque || v.TypeName() != "kubernetes.Quantity") return nullptr;
  return static_cast<const Quantity*>(&v.opaque());
}

Value ToQuantity(const Value* a, size_t n) {
  if (n != 1 || a[0].kind() != Kind::kString) return NoOverload("quantity", a, n);
  std::string err;
  auto q = ParseQuantity(a[0].str(), &err);
  if (!q) return Value::Error(err);
  return Value::Opaque(std::move(q));
}
Value IsQuantity(const Value* a, size_t n) {
  if (n != 1 || a[0].kind() != Kind::kString) return NoOverload("isQuantity", a, n);
  std::string err;
  return Value::Bool(ParseQuantity(a[0].str(), &err) != nullptr);
}

// The value as int64 when integral and in range.
std::optional<int64_t> AsInt64(const Quantity& q) {
  if (q.scale < 0) return std::nullopt;  // normalized: a fraction remains
  if (Digits(q.mantissa) + q.scale > 19) return std::nullopt;
  i128 v = q.mantissa * *Pow10(q.scale);
  if (v > INT64_MAX || v < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(v);
}

Value QSign(const Value* a, size_t n) {
  const Quantity* q = n == 1 ? AsQ(a[0]) : nullptr;
  if (!q) return NoOverload("sign", a, n);
  return Value::Int(Sign(q->mantissa));
}
Value QIsInteger(const Value* a, size_t n) {
  const Quantity* q = n == 1 ? AsQ(a[0]) : nullptr;
  if (!q) return NoOverload("isInteger", a, n);
  return Value::Bool(AsInt64(*q).has_value());
}
Value QAsInteger(const Value* a, size_t n) {
  const Quantity* q = n == 1 ? AsQ(a[0]) : nullptr;
  if (!q) return NoOverload("asInteger", a, n);
  auto v = AsInt64(*q);
  if (!v) return Value::Error("cannot convert value to integer");
  return Value::Int(*v);
}
Value QAsFloat(const Value* a, size_t n) {
  const Quantity* q = n == 1 ? AsQ(a[0]) : nullptr;
  if (!q) return NoOverload("asApproximateFloat", a, n);
  return Value::Double(static_cast<double>(q->mantissa) * std::pow(10.0, q->scale));
}

// The other operand of add/sub/compare: a Quantity, or an int for add/sub.
std::optional<Quantity> Operand(const Value& v, bool allow_int) {
  if (const Quantity* q = AsQ(v)) return *q;
  if (allow_int && v.kind() == Kind::kInt) {
    Quantity q;
    q.mantissa = v.int_value();
    q.text = std::to_string(v.int_value());
    q.Normalize();
    return q;
  }
  return std::nullopt;
}

Value AddSub(const Value* a, size_t n, bool subtract) {
  const char* name = subtract ? "sub" : "add";
  const Quantity* x = n == 2 ? AsQ(a[0]) : nullptr;
  std::optional<Quantity> y = n == 2 ? Operand(a[1], true) : std::nullopt;
  if (!x || !y) return NoOverload(name, a, n);
  int s = std::min(x->scale, y->scale);
  if (Digits(x->mantissa) + x->scale - s > 37 || Digits(y->mantissa) + y->scale - s > 37)
    return Value::Error("quantity arithmetic overflow");
  i128 xm = x->mantissa * *Pow10(x->scale - s), ym = y->mantissa * *Pow10(y->scale - s);
  auto r = std::make_shared<Quantity>();
  r->mantissa = subtract ? xm - ym : xm + ym;
  r->scale = s;
  r->Normalize();
  // Text: plain decimal rendering of the exact result.
  i128 m = r->mantissa < 0 ? -r->mantissa : r->mantissa;
  std::string digits;
  do { digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(m % 10))); m /= 10; } while (m > 0);
  if (r->scale > 0) digits += std::string(static_cast<size_t>(r->scale), '0');
  if (r->scale < 0) {
    size_t frac = static_cast<size_t>(-r->scale);
    if (digits.size() <= frac) digits.insert(0, frac - digits.size() + 1, '0');
    digits.insert(digits.size() - frac, ".");
  }
  r->text = (r->mantissa < 0 ? "-" : "") + digits;
  return Value::Opaque(std::move(r));
}
Value QAdd(const Value* a, size_t n) { return AddSub(a, n, false); }
Value QSub(const Value* a, size_t n) { return AddSub(a, n, true); }

Value Cmp(const Value* a, size_t n, const char* name, int mode) {
  const Quantity* x = n == 2 ? AsQ(a[0]) : nullptr;
  const Quantity* y = n == 2 ? AsQ(a[1]) : nullptr;
  if (!x || !y) return NoOverload(name, a, n);
  int c = CompareQ(*x, *y);
  if (mode == 0) return Value::Int(c);
  return Value::Bool(mode < 0 ? c < 0 : c > 0);
}
Value QCompareTo(const Value* a, size_t n) { return Cmp(a, n, "compareTo", 0); }
Value QLess(const Value* a, size_t n) { return Cmp(a, n, "isLessThan", -1); }
Value QGreater(const Value* a, size_t n) { return Cmp(a, n, "isGreaterThan", 1); }

}  // namespace

std::vector<Builtin> KubernetesQuantityBuiltins() {
  return {
      {"quantity", ToQuantity, true, false},
      {"isQuantity", IsQuantity, true, false},
      {"sign", QSign, false, true},
      {"isInteger", QIsInteger, false, true},
      {"asInteger", QAsInteger, false, true},
      {"asApproximateFloat", QAsFloat, false, true},
      {"add", QAdd, false, true},
      {"sub", QSub, false, true},
      {"compareTo", QCompareTo, false, true},
      {"isLessThan", QLess, false, true},
      {"isGreaterThan", QGreater, false, true},
  };
}

}  // namespace fluxcpp::cel
