#include "libs/cel/parser.h"

#include <catch2/catch.hpp>

#include <string>

using namespace fluxcpp::cel;

namespace {
std::string Error(std::string_view src, const ParseOptions& o = {}) {
  auto r = Parse(src, o);
  return r.ok() ? "" : std::string(r.status().message());
}
}  // namespace

TEST_CASE("precedence: relations bind looser than arithmetic", "[unit]") {
  auto e = Parse("1 + 2 * 3 == 7 && !false || x");
  REQUIRE(e.ok());
  CHECK((*e)->name == "_||_");
  CHECK((*e)->args[0]->name == "_&&_");
  CHECK((*e)->args[0]->args[0]->name == "_==_");
  CHECK((*e)->args[0]->args[0]->args[0]->name == "_+_");
  CHECK((*e)->args[0]->args[0]->args[0]->args[1]->name == "_*_");
}

TEST_CASE("literals", "[unit]") {
  auto e = Parse("-9223372036854775808");
  REQUIRE(e.ok());
  CHECK((*e)->constant.int_value() == INT64_MIN);
  auto u = Parse("0xFFu");
  REQUIRE(u.ok());
  CHECK((*u)->constant.uint_value() == 255);
  auto s = Parse(R"('\u00ff\x41\101')");
  REQUIRE(s.ok());
  CHECK((*s)->constant.str() == "\xC3\xBF" "AA");
  auto b = Parse(R"(b'\xff')");
  REQUIRE(b.ok());
  CHECK((*b)->constant.str() == "\xFF");
  auto raw = Parse(R"(r'\n')");
  REQUIRE(raw.ok());
  CHECK((*raw)->constant.str() == "\\n");
  auto triple = Parse("'''a\nb'''");
  REQUIRE(triple.ok());
  CHECK((*triple)->constant.str() == "a\nb");
  auto d = Parse(".5e1");
  REQUIRE(d.ok());
  CHECK((*d)->constant.double_value() == 5.0);
}

TEST_CASE("macros and optional syntax", "[unit]") {
  auto e = Parse("xs.map(x, x > 1, x * 2)");
  REQUIRE(e.ok());
  CHECK((*e)->type == Expr::Type::kMacro);
  CHECK((*e)->macro == MacroKind::kMapFilter);
  CHECK((*e)->name == "x");
  auto o = Parse("m.?a[?0]");
  REQUIRE(o.ok());
  CHECK((*o)->name == "_[?_]");
  CHECK((*o)->args[0]->name == "_?._");
  auto l = Parse("[?a, b]");
  REQUIRE(l.ok());
  CHECK((*l)->optional_entries == std::vector<bool>{true, false});
  CHECK_FALSE(Parse("m.?a", ParseOptions{.enable_optional_syntax = false}).ok());
}

TEST_CASE("parse errors carry line and column", "[unit]") {
  CHECK(Error("1 +") == "syntax error at 1:4: unexpected end of input");
  CHECK(Error("a.\n  1").find("2:3") != std::string::npos);
  CHECK(Error("has(a)").find("invalid argument to has() macro") != std::string::npos);
  CHECK(Error("if").find("reserved identifier 'if'") != std::string::npos);
  CHECK(Error("'abc").find("unterminated") != std::string::npos);
  CHECK(Error("9223372036854775808").find("out of range") != std::string::npos);
  CHECK(Error("'\\q'").find("invalid escape") != std::string::npos);
  CHECK(Error("a.`b`").find("unexpected character '`'") != std::string::npos);
  CHECK(Parse("a.`b-c`", ParseOptions{.enable_quoted_identifiers = true}).ok());
  CHECK(Error("Msg{a: 1}").find("not supported") != std::string::npos);
}

TEST_CASE("limits on size and nesting", "[unit]") {
  CHECK(Error(std::string(200, '1'), ParseOptions{.max_size = 100}).find("exceeds the limit") != std::string::npos);
  std::string deep = std::string(300, '(') + "1" + std::string(300, ')');
  CHECK(Error(deep).find("nesting exceeds") != std::string::npos);
  std::string sum = "1";
  for (int i = 0; i < 300; ++i) sum += " + 1";
  CHECK(Error(sum).find("nesting exceeds") != std::string::npos);
  // Postfix chains inside nested parentheses cannot build a tall tree.
  std::string tall = "x";
  for (int i = 0; i < 200; ++i) tall = "(" + tall + ".a.b.c.d.e)";
  CHECK(Error(tall).find("nesting exceeds") != std::string::npos);
  std::string postfix = "x";
  for (int i = 0; i < 600; ++i) postfix += "[0]";
  CHECK(Error(postfix).find("nesting exceeds") != std::string::npos);
  // Long || chains are balanced, so they stay shallow.
  std::string ors = "false";
  for (int i = 0; i < 5000; ++i) ors += " || false";
  CHECK(Parse(ors).ok());
}
