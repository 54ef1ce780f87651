// Runs every case of ../shared/conformance/kustomize (kustomize's krusty test
// scenarios with their expected output) through Build + ToYaml.
//
// A case passes byte-identically when our output equals expected.yaml byte for
// byte, semantically when both parse to the same documents (map key order
// ignored). Expected-error cases pass when the build fails with a message
// containing every line of expected-error.txt. The test prints the counts and
// every failing case with its reason (also written to
// kustomize_conformance_report.txt in the working directory), and fails only
// if the byte-identical rate over the cases kustomize v5.5.0 agrees with drops
// below kMinBytePassRate.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "libs/kustomize/build.h"
#include "libs/object/yaml.h"

namespace fs = std::filesystem;
namespace kz = fluxcpp::kustomize;

namespace {

// Raise as the engine climbs.
constexpr double kMinBytePassRate = 1.0;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

nlohmann::json Unordered(const fluxcpp::object::Value& v) { return nlohmann::json::parse(v.dump()); }

bool SemanticallyEqual(const std::string& a, const std::string& b) {
  auto da = fluxcpp::object::ParseYamlDocuments(a);
  auto db = fluxcpp::object::ParseYamlDocuments(b);
  if (!da.ok() || !db.ok() || da->size() != db->size()) return false;
  for (size_t i = 0; i < da->size(); ++i) {
    if (Unordered((*da)[i]) != Unordered((*db)[i])) return false;
  }
  return true;
}

struct CaseInfo {
  std::string oracle;  // PASS / DIFF / ERROR
};

std::map<std::string, CaseInfo> ReadIndex(const fs::path& tsv) {
  std::map<std::string, CaseInfo> out;
  std::istringstream in(ReadAll(tsv));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    if (cols.size() < 3) continue;
    out[cols[0]].oracle = cols[2];
  }
  return out;
}

}  // namespace

TEST_CASE("kustomize conformance corpus") {
  const char* shared = std::getenv("FLUXCPP_SHARED_DIR");
  fs::path corpus = fs::path(shared ? shared : "../shared") / "conformance" / "kustomize";
  if (!fs::exists(corpus / "cases")) {
    FAIL("conformance corpus not found at " << corpus << " (set FLUXCPP_SHARED_DIR)");
  }
  const char* only = std::getenv("KUSTOMIZE_CASE");
  std::map<std::string, CaseInfo> index = ReadIndex(corpus / "cases.tsv");
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(corpus / "cases")) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());

  int total = 0, agreeing = 0, byte_ok = 0, semantic_ok = 0, error_ok = 0, failed = 0;
  int agreeing_byte = 0, agreeing_pass = 0;
  std::ostringstream report;
  for (const fs::path& dir : cases) {
    std::string name = dir.filename().string();
    if (only != nullptr && name.find(only) == std::string::npos) continue;
    ++total;
    bool agrees = index[name].oracle == "PASS";
    if (agrees) ++agreeing;
    fs::path input = fs::absolute(dir / "input");
    std::string build_dir = Trim(ReadAll(dir / "build-dir"));
    kz::BuildOptions opts;
    opts.reorder = kz::Reorder::kNone;
    if (fs::exists(dir / "options.txt")) {
      std::string o = ReadAll(dir / "options.txt");
      if (o.find("reorder=legacy") != std::string::npos || o.find("reorder=unspecified") != std::string::npos) {
        opts.reorder = kz::Reorder::kLegacy;
      }
    }
    auto result = kz::Build((input / build_dir).lexically_normal().string(), opts);
    std::string input_prefix = input.lexically_normal().string();
    // Error messages may carry the canonical path (shared/ can be a symlink).
    std::error_code canonical_error;
    std::string canonical_prefix = fs::canonical(input, canonical_error).string();
    if (canonical_error) canonical_prefix = input_prefix;
    if (fs::exists(dir / "expected-error.txt")) {
      std::vector<std::string> needles = absl::StrSplit(ReadAll(dir / "expected-error.txt"), '\n', absl::SkipEmpty());
      if (result.ok()) {
        ++failed;
        report << "FAIL " << name << (agrees ? "" : " [oracle disagrees]") << ": expected an error, build succeeded\n";
        continue;
      }
      std::string msg = absl::StrReplaceAll(std::string(result.status().message()), {{input_prefix, ""}, {canonical_prefix, ""}});
      std::string missing;
      for (const std::string& n : needles) {
        if (msg.find(n) == std::string::npos) missing = n;
      }
      if (missing.empty()) {
        ++error_ok;
        if (agrees) ++agreeing_pass, ++agreeing_byte;
      } else {
        ++failed;
        report << "FAIL " << name << (agrees ? "" : " [oracle disagrees]") << ": error lacks '" << missing
               << "'; got: " << msg << "\n";
      }
      continue;
    }
    std::string expected = ReadAll(dir / "expected.yaml");
    if (!result.ok()) {
      ++failed;
      std::string msg = absl::StrReplaceAll(std::string(result.status().message()), {{input_prefix, ""}, {canonical_prefix, ""}});
      report << "FAIL " << name << (agrees ? "" : " [oracle disagrees]") << ": build error: " << msg << "\n";
      continue;
    }
    std::string got = kz::ToYaml(*result);
    if (got == expected) {
      ++byte_ok;
      if (agrees) ++agreeing_pass, ++agreeing_byte;
    } else if (SemanticallyEqual(got, expected)) {
      ++semantic_ok;
      if (agrees) ++agreeing_pass;
      report << "SEMANTIC " << name << (agrees ? "" : " [oracle disagrees]") << ": same documents, different bytes\n";
      if (only != nullptr) report << "--- got\n" << got << "--- expected\n" << expected;
    } else {
      ++failed;
      report << "FAIL " << name << (agrees ? "" : " [oracle disagrees]") << ": output differs\n";
      if (only != nullptr) report << "--- got\n" << got << "--- expected\n" << expected;
    }
  }
  std::ostringstream summary;
  summary << "kustomize conformance: " << total << " cases; byte-identical " << byte_ok << ", expected errors "
          << error_ok << ", semantic-only " << semantic_ok << ", failed " << failed << "\n"
          << "cases kustomize v5.5.0 agrees with: " << agreeing << "; passing byte-identically (incl. errors) "
          << agreeing_byte << ", passing at all " << agreeing_pass << "\n";
  std::cout << summary.str() << report.str();
  std::ofstream("kustomize_conformance_report.txt") << summary.str() << report.str();
  if (only == nullptr && agreeing > 0) {
    double rate = static_cast<double>(agreeing_byte) / agreeing;
    CHECK(rate >= kMinBytePassRate);
  }
}
