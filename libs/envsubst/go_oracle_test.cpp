// Replays inputs whose outputs were recorded from the Go implementation
// (testdata/README.md).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "libs/envsubst/envsubst.h"

namespace fs = std::filesystem;

namespace {

fs::path TestData() {
  const char* src = std::getenv("FLUXCPP_SOURCE_DIR");
  return fs::path(src != nullptr ? src : "/work/main") / "libs" / "envsubst" / "testdata";
}

std::string Unbase64(const std::string& s) {
  std::string out;
  REQUIRE(absl::Base64Unescape(s, &out));
  return out;
}

}  // namespace

TEST_CASE("outputs match the Go implementation") {
  std::ifstream vars_in(TestData() / "go_oracle_vars.json");
  REQUIRE(vars_in.good());
  nlohmann::json var_sets = nlohmann::json::parse(vars_in);
  std::map<std::string, std::map<std::string, std::string>> sets;
  for (auto& [set, vars] : var_sets.items()) {
    for (auto& [name, value] : vars.items()) sets[set][name] = Unbase64(value.get<std::string>());
  }

  std::ifstream in(TestData() / "go_oracle_cases.jsonl");
  REQUIRE(in.good());
  std::string line;
  int total = 0;
  int passed = 0;
  while (std::getline(in, line)) {
    nlohmann::json c = nlohmann::json::parse(line);
    ++total;
    std::string text = Unbase64(c["text"].get<std::string>());
    auto got = fluxcpp::envsubst::Substitute(text, sets.at(c["vars"].get<std::string>()),
                                             c["strict"].get<bool>());
    std::string want_err = c["err"].get<std::string>();
    bool ok;
    if (want_err.empty()) {
      ok = got.ok() && *got == Unbase64(c["out"].get<std::string>());
    } else {
      std::string msg = got.ok() ? "" : std::string(got.status().message());
      if (msg.rfind("runtime error:", 0) == 0) msg = "panic: " + msg;
      ok = !got.ok() && msg == want_err;
    }
    if (!ok) {
      INFO("case " << total << ": " << line << " -> "
                   << (got.ok() ? *got : got.status().ToString()));
      CHECK(ok);
    } else {
      ++passed;
    }
  }
  std::cout << "envsubst Go-oracle cases: " << passed << "/" << total << " passed\n";
  CHECK(total > 3000);
  CHECK(passed == total);
}
