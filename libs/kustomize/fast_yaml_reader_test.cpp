#include "libs/kustomize/fast_yaml_reader.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "libs/kustomize/yaml_scalar.h"
#include "libs/object/yaml.h"

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;
using fluxcpp::object::Value;

namespace {

// The general reader's answer (yaml-cpp + kyaml's scalar rules).
absl::StatusOr<std::vector<Value>> General(std::string_view text) {
  fluxcpp::object::YamlReadOptions options;
  options.resolve_plain = &kz::ResolvePlainV3;
  options.allow_duplicate_keys = false;
  return fluxcpp::object::ParseYamlDocuments(text, options);
}

// Fast and general readers agree whenever the fast one answers.
bool Agrees(std::string_view text, bool* accepted) {
  auto fast = kz::FastReadYamlDocuments(text, &kz::ResolvePlainV3);
  *accepted = fast.has_value();
  if (!fast) return true;
  auto general = General(text);
  if (!general.ok()) return false;
  return *fast == *general;
}

}  // namespace

TEST_CASE("fast yaml reader: the subset it takes") {
  const char* accepted[] = {
      "a: 1\nb: two\n",
      "---\napiVersion: v1\nkind: List\nitems:\n- kind: A\n  x: [] \n- kind: B\n  y: {}\n---\n---\nc: 'it''s'\n",
      "key:\n- a\n- \"b\"\nother:\n  - 1.5\n  - true\n  - ~\nlast:\n",
      "# comment\nm:\n  # inside\n  n:\n    o: p # not a comment start? no: declined\n",
      "- a\n- b: 1\n  c: 2\n-\n  d: 3\n-   e: 4\n    f: 5\n",
      "0x1F: hex key\ntrue: yes\nnull: on\n1.50: f\nurl: http://example.com/a#b\nimg: r.io/a@sha256:00\n",
  };
  int taken = 0;
  for (const char* text : accepted) {
    INFO(text);
    bool ok = false;
    CHECK(Agrees(text, &ok));
    taken += ok;
  }
  CHECK(taken == 5);  // all but the trailing-comment one
  auto docs = kz::FastReadYamlDocuments("a:\n- x\nb: 'y'\n", &kz::ResolvePlainV3);
  REQUIRE(docs.has_value());
  CHECK(*docs == std::vector<Value>{Value::parse(R"({"a":["x"],"b":"y"})")});
}

TEST_CASE("fast yaml reader: edge cases agree with the general reader") {
  const char* edges[] = {
      "- a:b\n",         "k: a:b\n",          "k: x#y\n",          "k: 'a''b'\n",       "k: \"\"\n",
      "k: ''\n",         "k: a b  \n",        "k: .inf\n",         "k: 0o17\n",         "k: 1e3\n",
      "k:    spaced\n",  "-   a\n",           "k: x,y\n",          "a:\n    b: 1\n    c: 2\n",
      "a:\n  - x\n  - y\n", "a:\n- x\n  - y\n", "- a: 1\n b: 2\n", "  a: 1\n",          "  a: 1\nb: 2\n",
      "# only a comment\n", "---\n# c\n---\n", "k: 0755\n",        "k: +1\n",           "k: 1_000\n",
      "k: TRUE\n",       "k: Null\n",          "a.b/c-d_e$: v\n",   "k: \"a b\" \n",    "k:\n",
  };
  for (const char* text : edges) {
    INFO(text);
    bool accepted = false;
    CHECK(Agrees(text, &accepted));
  }
}

TEST_CASE("fast yaml reader: declines everything else") {
  const char* declined[] = {
      "a: &x 1\nb: *x\n",          "a: !!str 1\n",          "a: [1, 2]\n",         "a: {b: c}\n",
      "a: |\n  text\n",            "a: >\n  folded\n",      "a: multi\n  line\n",  "a: \"esc\\n\"\n",
      "a: 1\na: 2\n",              "a:\tb\n",               "a: 1\r\n",            "just a scalar\n",
      "a: 1 # trailing\n",         "<<: {a: 1}\n",          "- - nested\n",        "a: 1\n  b: 2\n",
      "%YAML 1.2\n---\na: 1\n",    "--- a: 1\n",            "a: 1\n...\n",         "\"quoted key\": 1\n",
      "a: -1\n",                   "a: caf\xc3\xa9\n",      "a:\n- x\n - y\n",
  };
  for (const char* text : declined) {
    INFO(text);
    CHECK_FALSE(kz::FastReadYamlDocuments(text, &kz::ResolvePlainV3).has_value());
  }
}

TEST_CASE("fast yaml reader: agrees with the general reader on the conformance corpus") {
  const char* shared = std::getenv("FLUXCPP_SHARED_DIR");
  fs::path corpus = fs::path(shared != nullptr ? shared : "../shared") / "conformance/kustomize/cases";
  if (!fs::exists(corpus)) {
    WARN("no conformance corpus at " << corpus.string() << "; skipping");
    return;
  }
  int files = 0, taken = 0;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    bool accepted = false;
    INFO(entry.path().string());
    CHECK(Agrees(ss.str(), &accepted));
    ++files;
    taken += accepted;
  }
  // Most manifests are plain block YAML: the fast path must take most files.
  CHECK(taken * 2 > files);
}
