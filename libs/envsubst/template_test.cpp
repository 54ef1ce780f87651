#include "libs/envsubst/template.h"

#include <catch2/catch.hpp>

namespace es = fluxcpp::envsubst;
using es::Node;

namespace {

Node T(std::string v) {
  Node n;
  n.kind = Node::Kind::kText;
  n.value = std::move(v);
  return n;
}

Node F(std::string param, std::string name = "", std::vector<Node> args = {}) {
  Node n;
  n.kind = Node::Kind::kFunc;
  n.param = std::move(param);
  n.name = std::move(name);
  n.args = std::move(args);
  return n;
}

Node L(std::vector<Node> nodes) {
  Node n;
  n.kind = Node::Kind::kList;
  n.nodes = std::move(nodes);
  return n;
}

Node MustParse(std::string_view text) {
  auto n = es::Parse(text);
  INFO(text << " -> " << n.status().ToString());
  REQUIRE(n.ok());
  return *n;
}

std::string ParseError(std::string_view text) {
  auto n = es::Parse(text);
  INFO(text);
  REQUIRE_FALSE(n.ok());
  return std::string(n.status().message());
}

}  // namespace

// The table of fluxcd/pkg envsubst/parse/parse_test.go (Go nests ListNodes to
// the right; ours are flat).
TEST_CASE("parse trees match the Go parser") {
  struct Case {
    const char* text;
    Node node;
  };
  const std::vector<Case> cases = {
      {"text", T("text")},
      {"}text", T("}text")},
      {"http://github.com", T("http://github.com")},
      {"$${string}", T("${string}")},
      {"$$string", T("$string")},
      {R"(\\.\pipe\pipename)", T(R"(\\.\pipe\pipename)")},
      {"${string}", F("string")},
      {"${string,}", F("string", ",")},
      {"${string,,}", F("string", ",,")},
      {"${string^}", F("string", "^")},
      {"${string^^}", F("string", "^^")},
      {"${string:position}", F("string", ":", {T("position")})},
      {"${string:position:length}", F("string", ":", {T("position"), T("length")})},
      {"${string#substring}", F("string", "#", {T("substring")})},
      {"${string##substring}", F("string", "##", {T("substring")})},
      {"${string%substring}", F("string", "%", {T("substring")})},
      {"${string%%substring}", F("string", "%%", {T("substring")})},
      {"${string/substring/replacement}", F("string", "/", {T("substring"), T("replacement")})},
      {"${string//substring/replacement}", F("string", "//", {T("substring"), T("replacement")})},
      {"${string/#substring/replacement}", F("string", "/#", {T("substring"), T("replacement")})},
      {"${string/%substring/replacement}", F("string", "/%", {T("substring"), T("replacement")})},
      {"${string=default}", F("string", "=", {T("default")})},
      {"${string:=default}", F("string", ":=", {T("default")})},
      {"${string:-default}", F("string", ":-", {T("default")})},
      {"${string:?default}", F("string", ":?", {T("default")})},
      {"${string:+default}", F("string", ":+", {T("default")})},
      {"${#string}", F("string", "#")},
      {"${string#$%:*{}", F("string", "#", {T("$%:*{")})},
      {"hello ${#string} world", L({T("hello "), F("string", "#"), T(" world")})},
      {R"(\\ hello ${#string} world \\)",
       L({T(R"(\\ hello )"), F("string", "#"), T(R"( world \\)")})},
      {R"(${string/\/position/length})", F("string", "/", {T("/position"), T("length")})},
      {R"(${string/\/position\\/length})", F("string", "/", {T("/position\\"), T("length")})},
      {R"(${string/position/\/length})", F("string", "/", {T("position"), T("/length")})},
      {R"(${string/position/\/length\\})", F("string", "/", {T("position"), T("/length\\")})},
      {R"(${string/position/\/leng\\th})", F("string", "/", {T("position"), T("/leng\\th")})},
      {"${string:${position}}", F("string", ":", {F("position")})},
      {"${string:${stringy:position:length}:${stringz,,}}",
       F("string", ":", {F("stringy", ":", {T("position"), T("length")}), F("stringz", ",,")})},
      {"${string#${stringz}}", F("string", "#", {F("stringz")})},
      {"${string=${stringz}}", F("string", "=", {F("stringz")})},
      {"${string=prefix-${var}}", F("string", "=", {T("prefix-"), F("var")})},
      {"${string=${var}-suffix}", F("string", "=", {F("var"), T("-suffix")})},
      {"${string=prefix-${var}-suffix}", F("string", "=", {T("prefix-"), F("var"), T("-suffix")})},
      {"${string=prefix${var} suffix}", F("string", "=", {T("prefix"), F("var"), T(" suffix")})},
      {"${string//${stringy}/${stringz}}", F("string", "//", {F("stringy"), F("stringz")})},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(MustParse(c.text) == c.node);
  }
}

TEST_CASE("empty text and bare dollars") {
  CHECK(MustParse("") == T(""));
  CHECK(MustParse("$var and $") == T("$var and $"));
  CHECK(MustParse("a$") == T("a$"));
  // Go's double unread after a skipped escape: "$$$" + "{x}".
  CHECK(MustParse("$$${x}") == L({T("$"), F("x")}));
  CHECK(MustParse("$$$${x}") == T("$${x}"));
  // Go's eof is rune 0: a NUL byte ends the input.
  CHECK(MustParse(std::string_view("ab\0${x}", 7)) == T("ab"));
}

TEST_CASE("parse errors carry Go's messages") {
  CHECK(ParseError("${") == "unable to parse variable name");
  CHECK(ParseError("${}") == "unable to parse variable name");
  CHECK(ParseError("${var") == "missing closing brace");
  CHECK(ParseError("${var-default}") == "missing closing brace");
  CHECK(ParseError("${var+x}") == "missing closing brace");
  CHECK(ParseError("${var?x}") == "missing closing brace");
  CHECK(ParseError("${var#}") == "unable to parse substitution within function");
  CHECK(ParseError("${var::3}") == "unable to parse substitution within function");
  CHECK(ParseError("${var^x}") == "bad substitution");
  CHECK(ParseError("${#}") == "bad substitution");
  CHECK(ParseError("${#var:1}") == "bad substitution");
  CHECK(ParseError("${var/a}") == "bad substitution");
  CHECK(ParseError("${var=x") == "unable to parse substitution within function");
  CHECK(ParseError("${var:=x") == "unable to parse substitution within function");
  // ':' followed by a multi-byte rune: Go unreads by the peeked rune's width
  // and loses its place.
  CHECK(ParseError("${abc:\xC3\xA9}") == "bad substitution");
}

TEST_CASE("unicode identifiers parse") {
  CHECK(MustParse("${h\xC3\xA9llo}") == F("h\xC3\xA9llo"));
  CHECK(MustParse("${\xD9\xA3x}") == F("\xD9\xA3x"));  // ARABIC-INDIC DIGIT THREE
}

TEST_CASE("nesting is bounded") {
  std::string deep;
  for (int i = 0; i < es::kMaxNesting + 5; ++i) deep += "${a:=";
  deep += "x";
  for (int i = 0; i < es::kMaxNesting + 5; ++i) deep += "}";
  CHECK_FALSE(es::Parse(deep).ok());

  std::string ok;
  for (int i = 0; i < 50; ++i) ok += "${a:=";
  ok += "x";
  for (int i = 0; i < 50; ++i) ok += "}";
  CHECK(es::Parse(ok).ok());
}

TEST_CASE("long inputs parse without deep recursion") {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "${a}$$";
  auto n = es::Parse(text);
  REQUIRE(n.ok());
  CHECK(n->kind == Node::Kind::kList);
}
