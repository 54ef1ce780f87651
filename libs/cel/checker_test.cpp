#include "libs/cel/checker.h"

#include <catch2/catch.hpp>

#include "libs/cel/cel.h"

using namespace fluxcpp::cel;

namespace {
absl::Status CheckSrc(std::string_view src, bool expect_bool = false, bool homogeneous = true) {
  CompileOptions o;
  o.check = true;
  o.expect_bool = expect_bool;
  o.homogeneous_aggregate_literals = homogeneous;
  o.declarations = {{"res", "google.protobuf.Struct"}, {"n", "int"}, {"s", "string"}, {"l", "list(int)"}};
  auto p = Compile(src, o);
  return p.ok() ? absl::OkStatus() : p.status();
}
}  // namespace

TEST_CASE("comparisons between certain, different types are rejected", "[unit]") {
  CHECK_FALSE(CheckSrc("res == 'x'").ok());
  CHECK_FALSE(CheckSrc("s < n").ok());
  CHECK(CheckSrc("n < 2.5").ok());        // numbers compare across kinds
  CHECK(CheckSrc("res.a == 'x'").ok());   // fields of a Struct are dyn
  CHECK(CheckSrc("res != null").ok());
  CHECK(CheckSrc("l.exists(x, x == 'a')").ok());  // comprehension variables are dyn
}

TEST_CASE("undeclared names and homogeneous literals", "[unit]") {
  auto st = CheckSrc("other == 1");
  REQUIRE_FALSE(st.ok());
  CHECK(std::string(st.message()).find("undeclared reference to 'other'") != std::string::npos);
  CHECK(CheckSrc("int == type(n)").ok());  // type names are always declared
  CHECK(std::string(CheckSrc("frobnicate(n) == 1").message()).find("undeclared reference to 'frobnicate'") !=
        std::string::npos);
  CHECK_FALSE(CheckSrc("s.int() == 1").ok());        // int() is global only
  CHECK_FALSE(CheckSrc("contains(s, 'a')").ok());     // contains() is member only
  CHECK(CheckSrc("optional.of(1).hasValue()").ok());
  CHECK_FALSE(CheckSrc("[1, 'a']").ok());
  CHECK_FALSE(CheckSrc("{'a': 1, 'b': 'x'}").ok());
  CHECK(CheckSrc("[1, 'a']", false, /*homogeneous=*/false).ok());
  CHECK(CheckSrc("[1, res.a]").ok());  // dyn unifies with anything
  CHECK(CheckSrc("'%s is %d'.format(['a', 1])").ok());  // format() arguments are exempt
  CHECK_FALSE(CheckSrc("'%s'.format([[1, 'a']])").ok());
}

TEST_CASE("output must be exactly bool when required", "[unit]") {
  CHECK(CheckSrc("s.startsWith('a') && n > 1", true).ok());
  CHECK(CheckSrc("has(res.a) ? true : false", true).ok());
  CHECK_FALSE(CheckSrc("res.a", true).ok());
  CHECK_FALSE(CheckSrc("n + 1", true).ok());
}
