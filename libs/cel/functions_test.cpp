#include <catch2/catch.hpp>

#include "libs/cel/cel.h"

using namespace fluxcpp::cel;

namespace {
Value Eval(std::string_view src) {
  auto p = Compile(src);
  REQUIRE(p.ok());
  auto v = p->Evaluate({});
  if (!v.ok()) return Value::Error(std::string(v.status().message()));
  return *v;
}
bool True(std::string_view src) {
  Value v = Eval(src);
  INFO(src << " -> " << v.DebugString());
  return v.kind() == Kind::kBool && v.bool_value();
}
bool Fails(std::string_view src, std::string_view needle) {
  Value v = Eval(src);
  INFO(src << " -> " << v.DebugString());
  return v.is_error() && v.str().find(needle) != std::string::npos;
}
}  // namespace

TEST_CASE("integer overflow and division errors", "[unit]") {
  CHECK(Fails("9223372036854775807 + 1", "overflow"));
  CHECK(Fails("-9223372036854775808 - 1", "overflow"));
  CHECK(Fails("-(-9223372036854775808)", "overflow"));
  CHECK(Fails("0u - 1u", "overflow"));
  CHECK(Fails("1 / 0", "division by zero"));
  CHECK(Fails("1 % 0", "modulus by zero"));
  CHECK(True("-7 / 2 == -3 && -7 % 2 == -1"));
  CHECK(True("1.0 / 0.0 == double('Infinity')"));
}

TEST_CASE("conversions", "[unit]") {
  CHECK(True("int('-42') == -42 && uint('42') == 42u && double('1e3') == 1000.0"));
  CHECK(Fails("int(18446744073709551615u)", "range"));
  CHECK(Fails("uint(-1)", "range"));
  CHECK(Fails("int('1.5')", "cannot convert"));
  CHECK(True("string(1.5) == '1.5' && string(true) == 'true' && string(b'ab') == 'ab'"));
  CHECK(Fails("string(b'\\xff')", "UTF-8"));
  CHECK(True("bool('True') && !bool('0')"));
  CHECK(True("type(1) == int && type(type(1)) == type && type(null) == null_type"));
}

TEST_CASE("in, size and string predicates", "[unit]") {
  CHECK(True("2 in [1, 2.0] && 'a' in {'a': 1} && !(3u in [1])"));
  CHECK(True("size('héllo') == 5 && size(b'h\\xc3\\xa9') == 3 && [1,2].size() == 2"));
  CHECK(True("'flux'.startsWith('fl') && 'flux'.endsWith('ux') && 'flux'.contains('lu')"));
  CHECK(True("'v1.2.3'.matches('^v[0-9]+\\\\.[0-9]+')"));
  CHECK(Fails("'a'.matches('(')", "invalid regular expression"));
  CHECK(Fails("1 > '0'", "no matching overload"));
  CHECK(True("!(1 == '1')"));
}

TEST_CASE("timestamps and durations", "[unit]") {
  CHECK(True("timestamp('2024-03-01T10:00:00Z') - duration('1h') == timestamp('2024-03-01T09:00:00Z')"));
  CHECK(True("timestamp('2024-03-01T10:00:00Z').getFullYear() == 2024"));
  CHECK(True("timestamp('2024-03-01T10:00:00Z').getMonth() == 2"));
  CHECK(True("timestamp('2024-03-01T10:00:00Z').getHours('+02:00') == 12"));
  CHECK(True("timestamp('2024-07-01T10:00:00Z').getHours('Europe/Paris') == 12"));  // CEST
  CHECK(True("timestamp('2024-01-01T10:00:00Z').getHours('Europe/Paris') == 11"));  // CET
  CHECK(Fails("timestamp('2024-01-01T10:00:00Z').getHours('Mars/Olympus')", "unknown time zone"));
  CHECK(True("duration('90m').getHours() == 1 && duration('90m').getMinutes() == 90"));
  CHECK(True("timestamp('2024-03-01T10:00:00Z') > timestamp('2024-02-29T10:00:00Z')"));
  CHECK(Fails("timestamp('yesterday')", "invalid timestamp"));
  CHECK(True("string(duration('1.5s')) == '1.5s'"));
  // Durations are Go time.Durations: int64 nanoseconds, total milliseconds.
  CHECK(True("int(duration('1.5s')) == 1500000000 && duration('1.5s').getMilliseconds() == 1500"));
  CHECK(Fails("duration('3000000h')", "invalid duration"));
  CHECK(Fails("duration('2540400h') + duration('2540400h')", "duration overflow"));
}

TEST_CASE("ext.Sets and ext.Encoders", "[unit]") {
  CHECK(True("sets.contains([1, 2, 3], [3, 1]) && !sets.contains([1], [2])"));
  CHECK(True("sets.equivalent([1, 1, 2], [2, 1]) && sets.intersects([1, 2], [2.0])"));
  CHECK(True("base64.encode(b'hello') == 'aGVsbG8=' && base64.decode('aGVsbG8') == b'hello'"));
  CHECK(Fails("base64.decode('!!!')", "illegal base64"));
}

TEST_CASE("optionals", "[unit]") {
  CHECK(True("optional.of(1).hasValue() && !optional.none().hasValue()"));
  CHECK(True("optional.ofNonZeroValue('').orValue('d') == 'd'"));
  CHECK(True("optional.none().or(optional.of(2)).value() == 2"));
  CHECK(True("[1, 2].last().value() == 2 && [].first() == optional.none()"));
  CHECK(True("{'a': {'b': 1}}.?a.?b.value() == 1 && !{'a': 1}.?z.hasValue()"));
  CHECK(True("optional.of(2).optMap(x, x * 2).value() == 4"));
  CHECK(True("[?optional.none(), ?optional.of(1)] == [1]"));
  CHECK(Fails("optional.none().value()", "optional.none()"));
}

TEST_CASE("macros", "[unit]") {
  CHECK(True("[1, 2, 3].all(x, x > 0) && [1, 2, 3].exists(x, x == 2) && [1, 2, 3].exists_one(x, x > 2)"));
  CHECK(True("[1, 2, 3].map(x, x * 2) == [2, 4, 6] && [1, 2, 3].filter(x, x != 2) == [1, 3]"));
  CHECK(True("[1, 2, 3].map(x, x > 1, x * 10) == [20, 30]"));
  CHECK(True("{'a': 1, 'b': 2}.all(k, k in ['a', 'b'])"));
  CHECK(True("[].filter(e, e.type == 'Ready').all(e, e.status == 'False')"));
  CHECK(True("[0, 1].exists(x, 1 / x == 1)"));   // error absorbed by a true
  CHECK(Fails("[0, 1].all(x, 1 / x == 1)", "division by zero"));
  CHECK(Fails("[1].filter(x, 1)", "no matching overload"));
}
