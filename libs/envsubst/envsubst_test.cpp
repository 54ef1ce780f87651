#include "libs/envsubst/envsubst.h"

#include <catch2/catch.hpp>

namespace es = fluxcpp::envsubst;
using Vars = std::map<std::string, std::string>;

namespace {

std::string Lax(std::string_view text, const Vars& vars) {
  auto out = es::Substitute(text, vars, /*strict=*/false);
  INFO(text << " -> " << out.status().ToString());
  REQUIRE(out.ok());
  return *out;
}

std::string Strict(std::string_view text, const Vars& vars) {
  auto out = es::Substitute(text, vars, /*strict=*/true);
  INFO(text << " -> " << out.status().ToString());
  REQUIRE(out.ok());
  return *out;
}

std::string StrictError(std::string_view text, const Vars& vars) {
  auto out = es::Substitute(text, vars, /*strict=*/true);
  INFO(text);
  REQUIRE_FALSE(out.ok());
  return std::string(out.status().message());
}

}  // namespace

// The TestExpand table of fluxcd/pkg envsubst/eval_test.go.
TEST_CASE("expand (upstream table)") {
  struct Case {
    Vars params;
    const char* input;
    const char* output;
  };
  const std::vector<Case> cases = {
      {{}, "abcdEFGH28ij", "abcdEFGH28ij"},
      {{{"var01", "abcdEFGH28ij"}}, "${#var01}", "12"},
      {{{"var01", "abcdEFGH28ij"}}, "${var01^}", "AbcdEFGH28ij"},
      {{{"var01", "abcdEFGH28ij"}}, "${var01^^}", "ABCDEFGH28IJ"},
      {{{"var01", "ABCDEFGH28IJ"}}, "${var01,}", "aBCDEFGH28IJ"},
      {{{"var01", "ABCDEFGH28IJ"}}, "${var01,,}", "abcdefgh28ij"},
      {{{"path_name", "/home/bozo/ideas/thoughts.for.today"}},
       "${path_name:11}",
       "ideas/thoughts.for.today"},
      {{{"path_name", "/home/bozo/ideas/thoughts.for.today"}}, "${path_name:11:5}", "ideas"},
      {{{"var", "abc"}}, "${var=xyz}", "abc"},
      {{}, "${var=xyz}", "xyz"},
      {{{"default_var", "foo"}}, "something ${var=${default_var}}", "something foo"},
      {{{"default_var", "foo1"}}, "foo: ${var=${default_var}-suffix}", "foo: foo1-suffix"},
      {{{"default_var", "foo1"}},
       "foo: ${var=prefix${default_var}-suffix}",
       "foo: prefixfoo1-suffix"},
      {{}, "${var:=xyz}", "xyz"},
      {{{"stringZ", "abcABC123ABCabc"}}, "${stringZ/%abc/XYZ}", "abcABC123ABCXYZ"},
      {{{"stringZ", "abcABC123ABCabc"}}, "${stringZ/#abc/XYZ}", "XYZABC123ABCabc"},
      {{{"stringZ", "abcABC123ABCabc"}}, "${stringZ//abc/xyz}", "xyzABC123ABCxyz"},
      {{{"stringZ", "abcABC123ABCabc"}}, "${stringZ/abc/xyz}", "xyzABC123ABCabc"},
      {{{"filename", "bash.string.txt"}}, "${filename#*.}", "string.txt"},
      {{{"filename", "path/to/file"}}, "${filename#*/}", "to/file"},
      {{{"filename", "/path/to/file"}}, "${filename#*/}", "path/to/file"},
      {{{"filename", "bash.string.txt"}}, "${filename##*.}", "txt"},
      {{{"filename", "path/to/file"}}, "${filename##*/}", "file"},
      {{{"filename", "/path/to/file"}}, "${filename##*/}", "file"},
      {{{"filename", "bash.string.txt"}}, "${filename%.*}", "bash.string"},
      {{{"filename", "bash.string.txt"}}, "${filename%%.*}", "bash"},
      {{{"var01", "abcdEFGH28ij"}}, "${var=${var01^^}}", "ABCDEFGH28IJ"},
      {{{"var01", "abcdEFGH28ij"}}, "$${var01}", "${var01}"},
      {{{"var01", "abcdEFGH28ij"}},
       "some text ${var01}$${var$${var01}$var01${var01}",
       "some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij"},
      {{{"default_var", "foo"}}, "something $${var=${default_var}}", "something ${var=foo}"},
      {{{"stringZ", "foo/bar"}}, R"(${stringZ/\//-})", "foo-bar"},
      {{{"stringZ", "foo/bar/baz"}}, R"(${stringZ//\//-})", "foo-bar-baz"},
      {{{"default_var", "foo"}}, "\\\\something ${var=${default_var}}", "\\\\something foo"},
      {{{"stringZ", "foo.bar"}}, "${stringZ/./}", "foobar"},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    CHECK(Lax(c.input, c.params) == c.output);
  }
}

// The TestExpandStrict table of eval_test.go.
TEST_CASE("expand strict (upstream table)") {
  CHECK(Strict("abcdEFGH28ij", {}) == "abcdEFGH28ij");
  CHECK(Strict("${foo}", {{"foo", "bar"}}) == "bar");
  CHECK(Strict("${foo}", {{"foo", ""}}) == "");
  CHECK(StrictError("${missing}", {}) == "variable not set (strict mode): \"missing\"");
  CHECK(Strict("${missing:=default}", {{"foo", "bar"}}) == "default");
  for (const char* op :
       {"${#missing}", "${missing^}", "${missing^^}", "${missing,}", "${missing,,}", "${missing:0}",
        "${missing:0:10}", "${missing/pattern/replacement}", "${missing//pattern/replacement}",
        "${missing/#pattern/replacement}", "${missing/%pattern/replacement}", "${missing#pattern}",
        "${missing##pattern}", "${missing%pattern}", "${missing%%pattern}"}) {
    CHECK(StrictError(op, {}) == "variable not set (strict mode): \"missing\"");
  }
  CHECK(Strict("${missing:-fallback}", {}) == "fallback");
  CHECK(Strict("${missing:=assigned}", {}) == "assigned");
  CHECK(Strict("${missing=assigned}", {}) == "assigned");
}

TEST_CASE("strict error code and nested defaults") {
  auto out = es::Substitute("${a}", Vars{}, true);
  CHECK(absl::IsNotFound(out.status()));
  // Arguments are evaluated before the variable: a missing nested variable
  // fails even when the outer one is set.
  CHECK(StrictError("${a:=${missing}}", {{"a", "x"}}) ==
        "variable not set (strict mode): \"missing\"");
  CHECK(Strict("${a:=${b:=deep}}", {}) == "deep");
  CHECK(Strict("${a:=${b}}", {{"b", "from-b"}}) == "from-b");
  CHECK(Strict("${a:-x${b}y}", {{"b", "B"}}) == "xBy");
}

TEST_CASE("non-strict treats undefined as empty") {
  CHECK(Lax("[${missing}]", {}) == "[]");
  CHECK(Lax("${#missing}", {}) == "0");
  CHECK(Lax("${missing^^}", {}) == "");
}

TEST_CASE("defaults treat empty as unset") {
  CHECK(Lax("${v=d}", {{"v", ""}}) == "d");
  CHECK(Lax("${v:-d}", {{"v", ""}}) == "d");
  CHECK(Lax("${v:=d}", {{"v", "set"}}) == "set");
  // As in Go, :+ and :? behave as defaults.
  CHECK(Lax("${v:+alt}", {{"v", "set"}}) == "set");
  CHECK(Lax("${v:+alt}", {}) == "alt");
  CHECK(Strict("${v:?msg}", {}) == "msg");
  // Unsupported forms fail to parse, as in Go.
  for (const char* text : {"${v-d}", "${v+x}", "${v?x}"}) {
    auto r = es::Substitute(text, Vars{{"v", "set"}}, false);
    INFO(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "missing closing brace");
    CHECK(absl::IsInvalidArgument(r.status()));
  }
}

TEST_CASE("escaping") {
  CHECK(Lax("$${v}", {{"v", "x"}}) == "${v}");
  CHECK(Lax("$$v", {{"v", "x"}}) == "$v");
  CHECK(Lax("$$$${v}", {{"v", "x"}}) == "$${v}");
  CHECK(Lax("$$${v}", {{"v", "x"}}) == "$x");
  CHECK(Lax("$v ${v}", {{"v", "x"}}) == "$v x");
  CHECK(Lax("cost: $5", {}) == "cost: $5");
  CHECK(Lax("trailing $", {}) == "trailing $");
  CHECK(Lax(R"(${v/\\/x})", {{"v", R"(a\b)"}}) == "axb");
  CHECK(Lax(R"(${v//$$/D})", {{"v", "a$b$"}}) == "aDbD");
  // $$ is not an escape inside a default.
  CHECK(Lax("${v:=$$x}", {}) == "$$x");
}

TEST_CASE("substring") {
  Vars v = {{"s", "123456789"}};
  CHECK(Lax("${s:0:3}", v) == "123");
  CHECK(Lax("${s:-3}", v) == "123456789");  // parsed as a default (":-"), not a negative offset
  CHECK(Lax("${e:-3}", {{"e", ""}}) == "3");
  CHECK(Lax("${s: -3}", v) == "123456789");  // " -3" is no integer: value kept
  CHECK(Lax("${s:${neg}}", {{"s", "123456789"}, {"neg", "-3"}}) == "789");
  CHECK(Lax("${s:${neg}:2}", {{"s", "123456789"}, {"neg", "-300"}}) == "12");
  CHECK(Lax("${s:20}", v) == "");
  CHECK(Lax("${s:2:50}", v) == "3456789");
  CHECK(Lax("${s:x}", v) == "123456789");
  CHECK(Lax("${s:1::2}", v) == "23");  // repeated ':' delimiters are accepted
  // Go panics on s[2:1]; we report an error.
  auto bad = es::Substitute("${s:2:${len}}", Vars{{"s", "123456789"}, {"len", "-1"}}, false);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "runtime error: slice bounds out of range [2:1]");
}

TEST_CASE("pattern removal uses globs") {
  Vars v = {{"f", "archive.tar.gz"}};
  CHECK(Lax("${f%.*}", v) == "archive.tar");
  CHECK(Lax("${f%%.*}", v) == "archive");
  CHECK(Lax("${f#*.}", v) == "tar.gz");
  CHECK(Lax("${f##*.}", v) == "gz");
  CHECK(Lax("${f#a?c}", v) == "hive.tar.gz");
  CHECK(Lax("${f#[a-c]}", v) == "rchive.tar.gz");
  CHECK(Lax("${f#[^a]}", v) == "archive.tar.gz");
  CHECK(Lax("${f#nomatch}", v) == "archive.tar.gz");
  CHECK(Lax("${f%gz}", v) == "archive.tar.");
  CHECK(Lax("${f#[}", v) == "archive.tar.gz");  // bad pattern: value kept
}

TEST_CASE("replacement is literal") {
  Vars v = {{"s", "a*b*c"}};
  CHECK(Lax("${s/\\*/-}", v) == "a*b*c");  // "\*" is not an escape: the literal "\*" is absent
  CHECK(Lax("${s/*/-}", v) == "a-b*c");
  CHECK(Lax("${s//*/-}", v) == "a-b-c");
  CHECK(Lax("${s//*/}", {{"s", "a*b"}}) == "ab");
  // Without the second '/', the pattern runs past '}' (Go's scanner): no parse.
  CHECK_FALSE(es::Substitute("${s//*}", Vars{{"s", "a*b"}}, false).ok());
  CHECK(Lax("${s/#a/}", v) == "a*b*c");  // empty prefix replacement: unchanged (Go quirk)
  CHECK(Lax("${s/%c/}", v) == "a*b*c");
  CHECK(Lax("${s/%c/C}", v) == "a*b*C");
  CHECK(Lax("${s/#x/X}", v) == "a*b*c");
  CHECK(Lax("${s//${e}/-}", {{"s", "ab"}, {"e", ""}}) == "-a-b-");
  CHECK(Lax("${s/${e}/-}", {{"s", "ab"}, {"e", ""}}) == "-ab");
}

TEST_CASE("case conversion and unicode") {
  Vars v = {{"u", "\xC3\xA4pfel \xC3\x9F"}, {"g", "\xCE\xB1\xCE\xB2\xCE\xB3"}};
  CHECK(Lax("${u^}", v) == "\xC3\x84pfel \xC3\x9F");
  CHECK(Lax("${u^^}", v) == "\xC3\x84PFEL \xC3\x9F");  // ß has no simple upper case
  CHECK(Lax("${g^^}", v) == "\xCE\x91\xCE\x92\xCE\x93");
  CHECK(Lax("${g,,}", {{"g", "\xCE\x91\xCE\x92"}}) == "\xCE\xB1\xCE\xB2");
  CHECK(Lax("${#u}", v) == "9");        // bytes, as Go's len()
  CHECK(Lax("${u:0:1}", v) == "\xC3");  // byte offsets, may split a rune
  CHECK(Lax("${g%\xCE\xB3}", v) == "\xCE\xB1\xCE\xB2");
  // Candidates are byte prefixes, so the shortest match of '?' is one byte
  // (an invalid rune) and the result splits a rune, exactly as in Go.
  CHECK(Lax("${g#?}", v) == "\xB1\xCE\xB2\xCE\xB3");
  CHECK(Lax("${g##?}", v) == "\xCE\xB2\xCE\xB3");
  CHECK(Lax("${x,^}", {{"x", "AbC"}}) == "AbC");  // unknown casing name: value unchanged
  // Invalid UTF-8 becomes U+FFFD when case-mapped (Go's strings.Map).
  CHECK(Lax("${b^^}", {{"b", "a\xFF"}}) == "A\xEF\xBF\xBD");
  // Unicode identifiers parse; they can never be defined variables.
  CHECK(Lax("${\xC3\xA9t\xC3\xA9}", v) == "");
  CHECK(StrictError("${\xC3\xA9t\xC3\xA9}", v) ==
        "variable not set (strict mode): \"\xC3\xA9t\xC3\xA9\"");
}

TEST_CASE("lookup callback") {
  int calls = 0;
  es::Lookup lookup = [&calls](std::string_view name) -> std::optional<std::string> {
    ++calls;
    if (name == "HOME") return "/root";
    return std::nullopt;
  };
  auto out = es::Substitute("${HOME}/${HOME##*/}", lookup, true);
  REQUIRE(out.ok());
  CHECK(*out == "/root/root");
  CHECK(calls == 2);
}

TEST_CASE("yaml-ish text") {
  Vars v = {{"cluster_env", "prod"}, {"replicas", "3"}};
  CHECK(Lax("metadata:\n  name: app-${cluster_env}\nspec:\n  replicas: ${replicas:=1}\n", v) ==
        "metadata:\n  name: app-prod\nspec:\n  replicas: 3\n");
}

TEST_CASE("ValidateVarName") {
  for (const char* ok : {"a", "_", "A_1", "_9", "cluster_env", "ABC"})
    CHECK(es::ValidateVarName(ok).ok());
  for (const char* bad : {"", "1a", "a-b", "a.b", "\xC3\xA9", "a b", "a\n"}) {
    INFO(bad);
    CHECK_FALSE(es::ValidateVarName(bad).ok());
  }
  CHECK(es::ValidateVarName("my-var").message() ==
        "'my-var' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'");
}
