#include "libs/cel/k8s_functions.h"

#include <re2/re2.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace fluxcpp::cel {
namespace {

bool IsList(const Value* a, size_t n, size_t want) { return n == want && a[0].kind() == Kind::kList; }

// Elements of one comparable kind (as the typed lists kube's checker allows).
bool Comparable(const Value& v) {
  switch (v.kind()) {
    case Kind::kInt: case Kind::kUint: case Kind::kDouble: case Kind::kString: case Kind::kBytes:
    case Kind::kBool: case Kind::kTimestamp: case Kind::kDuration: return true;
    default: return false;
  }
}

// -1/0/1 or an error value when the elements cannot be ordered.
Value CompareOrError(const Value& x, const Value& y, const char* fn, const Value* a, size_t n, int* out) {
  if (!Comparable(x) || !Comparable(y)) return NoOverload(fn, a, n);
  bool unordered = false;
  std::optional<int> c = Compare(x, y, &unordered);
  if (!c) return unordered ? Value::Bool(false) : NoOverload(fn, a, n);
  *out = *c;
  return Value::Bool(true);
}

Value IsSorted(const Value* a, size_t n) {
  if (!IsList(a, n, 1)) return NoOverload("isSorted", a, n);
  const ListValue& l = a[0].list();
  for (size_t i = 1; i < l.size(); ++i) {
    int c = 0;
    Value ok = CompareOrError(l[i - 1], l[i], "isSorted", a, n, &c);
    if (ok.is_error()) return ok;
    if (c > 0) return Value::Bool(false);
  }
  return Value::Bool(true);
}

Value Sum(const Value* a, size_t n) {
  if (!IsList(a, n, 1)) return NoOverload("sum", a, n);
  const ListValue& l = a[0].list();
  if (l.empty()) return Value::Int(0);
  Value acc = l[0];
  if (acc.kind() != Kind::kInt && acc.kind() != Kind::kUint && acc.kind() != Kind::kDouble &&
      acc.kind() != Kind::kDuration)
    return NoOverload("sum", a, n);
  for (size_t i = 1; i < l.size(); ++i) {
    acc = Add(acc, l[i]);
    if (acc.is_error()) return acc;
  }
  return acc;
}

Value MinMax(const Value* a, size_t n, bool want_max) {
  const char* fn = want_max ? "max" : "min";
  if (!IsList(a, n, 1)) return NoOverload(fn, a, n);
  const ListValue& l = a[0].list();
  if (l.empty()) return Value::Error(std::string(fn) + " called on empty list");
  Value best = l[0];
  if (!Comparable(best)) return NoOverload(fn, a, n);
  for (size_t i = 1; i < l.size(); ++i) {
    int c = 0;
    Value ok = CompareOrError(l[i], best, fn, a, n, &c);
    if (ok.is_error()) return ok;
    if (want_max ? c > 0 : c < 0) best = l[i];
  }
  return best;
}
Value Min(const Value* a, size_t n) { return MinMax(a, n, false); }
Value Max(const Value* a, size_t n) { return MinMax(a, n, true); }

Value ListIndexOf(const Value* a, size_t n, bool last) {
  const ListValue& l = a[0].list();
  if (last) {
    for (size_t i = l.size(); i-- > 0;)
      if (!l[i].is_error() && Equal(l[i], a[1])) return Value::Int(static_cast<int64_t>(i));
  } else {
    for (size_t i = 0; i < l.size(); ++i)
      if (!l[i].is_error() && Equal(l[i], a[1])) return Value::Int(static_cast<int64_t>(i));
  }
  return Value::Int(-1);
}
Value IndexOf(const Value* a, size_t n) {
  if (IsList(a, n, 2)) return ListIndexOf(a, n, false);
  return StringIndexOf(a, n);
}
Value LastIndexOf(const Value* a, size_t n) {
  if (IsList(a, n, 2)) return ListIndexOf(a, n, true);
  return StringLastIndexOf(a, n);
}


// Up to `limit` (< 0: all) leftmost non-overlapping matches.
Value FindMatches(const Value* a, size_t n, const char* fn, int64_t limit, bool list) {
  std::string err;
  const RE2* re = CompiledRegex(a[1].str(), &err);
  if (re == nullptr) return Value::Error("invalid regular expression '" + a[1].str() + "': " + err);
  const std::string& s = a[0].str();
  ListValue out;
  size_t pos = 0;
  re2::StringPiece match;
  while (pos <= s.size() && (limit < 0 || static_cast<int64_t>(out.size()) < limit)) {
    if (!re->Match(s, pos, s.size(), RE2::UNANCHORED, &match, 1)) break;
    out.push_back(Value::String(std::string(match.data(), match.size())));
    size_t end = static_cast<size_t>(match.data() - s.data()) + match.size();
    pos = match.empty() ? end + 1 : end;
    if (!list) break;
  }
  (void)fn;
  (void)n;
  if (!list) return out.empty() ? Value::String("") : out[0];
  return Value::List(std::move(out));
}

Value Find(const Value* a, size_t n) {
  if (n != 2 || a[0].kind() != Kind::kString || a[1].kind() != Kind::kString) return NoOverload("find", a, n);
  return FindMatches(a, n, "find", 1, false);
}
Value FindAll(const Value* a, size_t n) {
  if ((n != 2 && n != 3) || a[0].kind() != Kind::kString || a[1].kind() != Kind::kString ||
      (n == 3 && a[2].kind() != Kind::kInt))
    return NoOverload("findAll", a, n);
  int64_t limit = n == 3 ? a[2].int_value() : -1;
  if (limit == 0) return Value::List({});
  return FindMatches(a, n, "findAll", limit, true);
}

}  // namespace

const std::vector<Builtin>& KubernetesBuiltins() {
  static const std::vector<Builtin> table = [] {
    std::vector<Builtin> t = {
      {"isSorted", IsSorted, false, true},
      {"sum", Sum, false, true},
      {"min", Min, false, true},
      {"max", Max, false, true},
      {"indexOf", IndexOf, false, true},
      {"lastIndexOf", LastIndexOf, false, true},
      {"find", Find, false, true},
      {"findAll", FindAll, false, true},
    };
    for (const auto& b : KubernetesUrlBuiltins()) t.push_back(b);
    for (const auto& b : KubernetesQuantityBuiltins()) t.push_back(b);
    for (const auto& b : KubernetesIpBuiltins()) t.push_back(b);
    return t;
  }();
  return table;
}

}  // namespace fluxcpp::cel
