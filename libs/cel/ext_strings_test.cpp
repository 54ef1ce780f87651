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
std::string Str(std::string_view src) {
  Value v = Eval(src);
  INFO(src << " -> " << v.DebugString());
  REQUIRE(v.kind() == Kind::kString);
  return v.str();
}
}  // namespace

TEST_CASE("code-point indexing", "[unit]") {
  CHECK(Str("'ta©o'.charAt(2)") == "©");
  CHECK(Eval("'ta©o©αT'.indexOf('©', 3)").int_value() == 4);
  CHECK(Eval("'ta©o©αT'.lastIndexOf('©')").int_value() == 4);
  CHECK(Str("'ta©o©αT'.substring(2, 6)") == "©o©α");
  CHECK(Eval("'abc'.substring(2, 1)").str().find("invalid substring range") != std::string::npos);
  CHECK(Eval("'abc'.charAt(4)").str() == "index out of range: 4");
  CHECK(Str("'Ta©oCαt'.reverse()") == "tαCo©aT");
}

TEST_CASE("case, trim, replace, split, join", "[unit]") {
  CHECK(Str("'TacoCÆt'.lowerAscii()") == "tacocÆt");
  CHECK(Str("'tacoCαt'.upperAscii()") == "TACOCαT");
  CHECK(Str("' \\t text \\u00a0'.trim()") == "text");
  CHECK(Str("'a-b-c'.replace('-', '+', 1)") == "a+b-c");
  CHECK(Eval("'a/b/c'.split('/', 2) == ['a', 'b/c']").bool_value());
  CHECK(Eval("'a,b'.split(',') == ['a', 'b']").bool_value());
  CHECK(Str("['x', 'y'].join('-')") == "x-y");
  CHECK(Eval("[1].join()").is_error());
}

TEST_CASE("quote and format", "[unit]") {
  CHECK(Str("strings.quote('a\"b\\n')") == "\"a\\\"b\\n\"");
  CHECK(Str("'%s is %d (%.2f%%)'.format(['x', 3, 0.456])") == "x is 3 (0.46%)");
  CHECK(Str("'%x %X %o %b'.format([255, 255, 8, 5])") == "ff FF 10 101");
  CHECK(Str("'%s'.format([{'b': 1, 'a': [true, null]}])") == "{a: [true, null], b: 1}");
  CHECK(Str("'%e'.format([1234.5])") == "1.234500e+03");
  CHECK(Eval("'%d'.format(['x'])").str().find("decimal clause") != std::string::npos);
  CHECK(Eval("'%s %s'.format(['x'])").str() == "index 1 out of range");
  CHECK(Eval("'%q'.format([1])").str().find("unrecognized formatting clause") != std::string::npos);
}
