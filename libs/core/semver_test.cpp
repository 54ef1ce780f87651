#include "libs/core/semver.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fluxcpp::semver {
namespace {

std::vector<nlohmann::json> LoadRows(const std::string& file) {
  const char* shared = std::getenv("FLUXCPP_SHARED_DIR");
  REQUIRE(shared != nullptr);
  std::ifstream in(std::string(shared) + "/conformance/semver/" + file);
  REQUIRE(in.good());
  std::vector<nlohmann::json> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  REQUIRE(!rows.empty());
  return rows;
}

TEST_CASE("semver conformance: versions.jsonl", "[semver]") {
  int checked = 0;
  for (const auto& row : LoadRows("versions.jsonl")) {
    const std::string mode = row["mode"];
    const std::string text = row["version"];
    absl::StatusOr<Version> v = absl::UnknownError("unsupported mode");
    if (mode == "loose") {
      v = Version::Parse(text);
    } else if (mode == "strict") {
      v = Version::ParseStrict(text);
    } else if (mode == "flux") {
      v = Version::ParseTag(text);
    } else {
      continue;  // library options Flux never sets
    }
    INFO(mode << " '" << text << "'");
    ++checked;
    REQUIRE(v.ok() == row["ok"].get<bool>());
    if (!v.ok()) continue;
    CHECK(v->String() == row["string"].get<std::string>());
    CHECK(v->major() == row["major"].get<uint64_t>());
    CHECK(v->minor() == row["minor"].get<uint64_t>());
    CHECK(v->patch() == row["patch"].get<uint64_t>());
    CHECK(v->prerelease() == row["prerelease"].get<std::string>());
    CHECK(v->metadata() == row["metadata"].get<std::string>());
    CHECK(v->original() == text);
  }
  CHECK(checked > 100);
}

TEST_CASE("semver conformance: compare.jsonl and sort.jsonl", "[semver]") {
  for (const auto& row : LoadRows("compare.jsonl")) {
    auto a = Version::Parse(row["v1"].get<std::string>());
    auto b = Version::Parse(row["v2"].get<std::string>());
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    INFO(row["v1"] << " vs " << row["v2"]);
    CHECK(a->Compare(*b) == row["expected"].get<int>());
  }
  for (const auto& row : LoadRows("sort.jsonl")) {
    std::vector<Version> versions;
    for (const auto& s : row["input"]) versions.push_back(*Version::Parse(s.get<std::string>()));
    std::stable_sort(versions.begin(), versions.end());
    std::vector<std::string> sorted;
    for (const auto& v : versions) sorted.push_back(v.String());
    CHECK(sorted == row["sortedStrings"].get<std::vector<std::string>>());
  }
}

TEST_CASE("semver conformance: constraints.jsonl", "[semver]") {
  int checks = 0, parses = 0;
  for (const auto& row : LoadRows("constraints.jsonl")) {
    const std::string text = row["constraint"];
    INFO("constraint '" << text << "'");
    auto c = Constraints::Parse(text);
    if (row["kind"] == "parse") {
      ++parses;
      REQUIRE(c.ok() == !row["error"].get<bool>());
      if (!c.ok()) continue;
      if (row.contains("ors")) CHECK(c->group_count() == row["ors"].get<size_t>());
      if (row.contains("andsInFirstGroup"))
        CHECK(c->group_size(0) == row["andsInFirstGroup"].get<size_t>());
      if (row.contains("string")) CHECK(c->String() == row["string"].get<std::string>());
      if (row.contains("singleOp")) {
        REQUIRE(c->group_count() == 1);
        REQUIRE(c->group_size(0) == 1);
        CHECK(c->op(0, 0) == row["singleOp"].get<std::string>());
        CHECK(c->version(0, 0).String() == row["singleVersion"].get<std::string>());
      }
      continue;
    }
    ++checks;
    REQUIRE(c.ok());
    auto v = Version::Parse(row["version"].get<std::string>());
    REQUIRE(v.ok());
    if (row.value("includePrerelease", false)) c->set_include_prerelease(true);
    INFO("version '" << row["version"].get<std::string>() << "' includePrerelease "
                     << row.value("includePrerelease", false));
    CHECK(c->Check(*v) == row["match"].get<bool>());
  }
  CHECK(checks > 400);
  CHECK(parses > 40);
}

TEST_CASE("semver: Flux-style tag selection", "[semver]") {
  auto c = Constraints::Parse(">=1.0.0 <2.0.0");
  REQUIRE(c.ok());
  CHECK(c->Check(*Version::ParseTag("v1.1.0")));
  CHECK_FALSE(c->Check(*Version::ParseTag("v2.0.0")));
  CHECK_FALSE(
      c->Check(*Version::ParseTag("v1.2.0-rc.1")));  // prerelease needs a prerelease comparator
  CHECK_FALSE(Version::ParseTag("v1.0").ok());       // tags must be full versions
  CHECK_FALSE(Version::ParseTag("release-1").ok());
  CHECK(Version::ParseTag("v1.0.0")->original() == "v1.0.0");
  CHECK(Constraints::Parse("^1.2")->Check(*Version::Parse("1.9.0")));
  CHECK(Constraints::Parse("~1.2.3")->Check(*Version::Parse("1.2.9")));
  CHECK_FALSE(Constraints::Parse("~1.2.3")->Check(*Version::Parse("1.3.0")));
  CHECK(Constraints::Parse("1.x")->Check(*Version::Parse("1.4.2")));
  CHECK(Constraints::Parse("*")->Check(*Version::Parse("42.0.0")));
  CHECK(Constraints::Parse("<1 || >=3")->Check(*Version::Parse("3.1.0")));
  CHECK_FALSE(Constraints::Parse("<1 || >=3")->Check(*Version::Parse("2.0.0")));
  CHECK_FALSE(Constraints::Parse("not a range").ok());
}

}  // namespace
}  // namespace fluxcpp::semver
