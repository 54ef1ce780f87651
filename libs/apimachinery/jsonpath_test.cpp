#include "libs/apimachinery/jsonpath.h"

#include <catch2/catch.hpp>

using fluxcpp::apimachinery::JsonPath;
using fluxcpp::apimachinery::JsonPathResultToString;
using fluxcpp::object::Value;

namespace {
const Value kObj = Value::parse(R"({
  "metadata":{"name":"x","annotations":{"a.b/c":"v"},"creationTimestamp":"2024-01-01T00:00:00Z"},
  "spec":{"url":"https://example.com","n":3,"items":[{"name":"a","v":1},{"name":"b","v":2}]},
  "status":{"conditions":[{"type":"Reconciling","status":"False"},{"type":"Ready","status":"True","message":"ok"}]}
})");

std::vector<std::string> Eval(const char* expr) {
  auto path = JsonPath::Parse(expr);
  REQUIRE(path.ok());
  std::vector<std::string> out;
  for (const Value* v : path->Evaluate(kObj)) out.push_back(JsonPathResultToString(*v));
  return out;
}
}  // namespace

TEST_CASE("jsonpath field access, indexes, wildcards") {
  CHECK(Eval(".spec.url") == std::vector<std::string>{"https://example.com"});
  CHECK(Eval("{.spec.url}") == std::vector<std::string>{"https://example.com"});
  CHECK(Eval("$.spec.n") == std::vector<std::string>{"3"});
  CHECK(Eval(".spec.items[1].name") == std::vector<std::string>{"b"});
  CHECK(Eval(".spec.items[-1].v") == std::vector<std::string>{"2"});
  CHECK(Eval(".spec.items[*].name") == std::vector<std::string>{"a", "b"});
  CHECK(Eval(".metadata.annotations['a.b/c']") == std::vector<std::string>{"v"});
  CHECK(Eval(".spec.missing").empty());
  CHECK(Eval(".spec.items[5]").empty());
  CHECK(Eval("..name") == std::vector<std::string>{"x", "a", "b"});
}

TEST_CASE("jsonpath filters") {
  CHECK(Eval(R"(.status.conditions[?(@.type=="Ready")].status)") == std::vector<std::string>{"True"});
  CHECK(Eval(".status.conditions[?(@.type=='Ready')].message") == std::vector<std::string>{"ok"});
  CHECK(Eval(R"(.status.conditions[?(@.type!="Ready")].type)") == std::vector<std::string>{"Reconciling"});
  CHECK(Eval(".spec.items[?(@.v>1)].name") == std::vector<std::string>{"b"});
  CHECK(Eval(".status.conditions[?(@.message)].type") == std::vector<std::string>{"Ready"});
  CHECK(Eval(R"(.status.conditions[?(@.type=="Nope")].status)").empty());
}

TEST_CASE("jsonpath parse errors") {
  CHECK(!JsonPath::Parse(".a[").ok());
  CHECK(!JsonPath::Parse("{.a").ok());
  CHECK(!JsonPath::Parse(".a[?(@.b==)]").ok());
  CHECK(!JsonPath::Parse(".a[?(b)]").ok());
}
