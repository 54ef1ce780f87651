// Differential test: IgnoreMatcher against `git check-ignore` on random trees
// and random rules (seeded, so failures are reproducible).

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>

#include "libs/artifact/ignore_matcher.h"
#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::artifact {
namespace {

namespace fs = std::filesystem;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

const std::vector<std::string> kNames = {"a",   "b",   "ab",    "a.txt", "b.md", "x.log",
                                         "[a]", "a*",  "foo",   "Foo",   "a b",  "#c",
                                         "!n",  "dir", "d.txt", "ba",    "a?b",  ".hid"};
const std::vector<std::string> kSegments = {
    "a",      "b",  "ab",   "*",     "?",     "*.txt", "a*",           "[ab]",  "[!a]*", "**",
    "[a-c]*", "*b", "a?",   "foo",   "dir",   "\\*",   "[[:alpha:]]*", "\\#c",  "\\!n",  "a\\*",
    "*.*",    "d*", "[]a]", "x.log", "**foo", "a**",   "[\\]]",        "?.txt", ".hid",  "*[b]"};

struct Node {
  std::string path;
  bool is_dir;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  const std::string& Pick(const std::vector<std::string>& v) {
    return v[static_cast<size_t>(Uniform(0, static_cast<int>(v.size()) - 1))];
  }

  void Tree(const std::string& dir, int depth, std::vector<Node>& out) {
    std::vector<std::string> names = kNames;
    std::shuffle(names.begin(), names.end(), rng_);
    int count = Uniform(1, depth == 0 ? 6 : 4);
    for (int i = 0; i < count; ++i) {
      std::string path = dir.empty() ? names[i] : dir + "/" + names[i];
      bool is_dir = depth < 3 && Chance(0.4);
      out.push_back({path, is_dir});
      if (is_dir) Tree(path, depth + 1, out);
    }
  }

  std::string Rule() {
    if (Chance(0.05)) return "# comment";
    if (Chance(0.03)) return "";
    std::string rule;
    if (Chance(0.25)) rule += "!";
    if (Chance(0.2)) rule += "/";
    int segments = Uniform(1, 3);
    for (int i = 0; i < segments; ++i) {
      if (i > 0) rule += "/";
      rule += Pick(kSegments);
    }
    if (Chance(0.25)) rule += "/";
    if (Chance(0.05)) rule += "  ";
    return rule;
  }

  std::string RuleFile() {
    std::string text;
    int n = Uniform(1, 6);
    for (int i = 0; i < n; ++i) text += Rule() + "\n";
    return text;
  }

 private:
  std::mt19937 rng_;
};

// Returns path -> ignored, from `git check-ignore -v -n -z --stdin`.
std::map<std::string, bool> GitVerdicts(const std::string& repo, const std::string& home,
                                        const std::vector<Node>& nodes) {
  std::string input;
  for (const auto& n : nodes) input += n.path + '\0';
  auto r =
      RunCommand({"git", "-c", "core.excludesFile=/dev/null", "check-ignore", "--no-index", "-v",
                  "-n", "-z", "--stdin"},
                 repo, input, {"HOME=" + home, "XDG_CONFIG_HOME=" + home, "GIT_CONFIG_NOSYSTEM=1"},
                 /*discard_stderr=*/true);
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  std::vector<std::string> fields;
  std::string cur;
  for (char c : r.output) {
    if (c == '\0') {
      fields.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  REQUIRE(fields.size() % 4 == 0);
  std::map<std::string, bool> out;
  for (size_t i = 0; i < fields.size(); i += 4) {
    const std::string& source = fields[i];
    const std::string& pattern = fields[i + 2];
    out[fields[i + 3]] = !source.empty() && !(pattern.size() > 0 && pattern[0] == '!');
  }
  return out;
}

TEST_CASE("IgnoreMatcher agrees with git check-ignore on random trees", "[ignore][oracle]") {
  TempDir home;
  TempDir repo;
  auto init = RunCommand({"git", "init", "-q", repo.path()}, "", "", {"HOME=" + home.path()});
  REQUIRE(init.exit_code == 0);

  const int kTrials = 500;
  int compared = 0, ignored_seen = 0, reincluded_seen = 0;
  for (uint32_t seed = 1; seed <= kTrials; ++seed) {
    // Reset the work tree (keep .git).
    for (const auto& e : fs::directory_iterator(repo.path())) {
      if (e.path().filename() != ".git") fs::remove_all(e.path());
    }
    Generator gen(seed);
    std::vector<Node> nodes;
    gen.Tree("", 0, nodes);
    IgnoreMatcher matcher;
    std::ostringstream description;
    std::vector<std::pair<std::string, std::string>> files;  // dir -> text
    files.emplace_back("", gen.RuleFile());
    for (const auto& n : nodes) {
      if (n.is_dir && gen.Chance(0.3)) files.emplace_back(n.path, gen.RuleFile());
    }
    for (const auto& n : nodes) {
      if (n.is_dir) {
        fs::create_directories(repo.Join(n.path));
      } else {
        WriteFile(repo.Join(n.path), "x");
      }
    }
    for (const auto& [dir, text] : files) {
      const std::string rel = dir.empty() ? ".gitignore" : dir + "/.gitignore";
      WriteFile(repo.Join(rel), text);
      nodes.push_back({rel, false});
      matcher.AddDirectoryPatterns(dir, text);
      description << "--- " << rel << "\n" << text;
    }
    auto git = GitVerdicts(repo.path(), home.path(), nodes);
    for (const auto& n : nodes) {
      const bool ours = matcher.IsIgnored(n.path, n.is_dir);
      const bool theirs = git[n.path];
      INFO("seed " << seed << " path '" << n.path << "' dir=" << n.is_dir << "\n"
                   << description.str());
      REQUIRE(ours == theirs);
      ++compared;
      if (theirs) ++ignored_seen;
      if (!theirs && matcher.MatchSelf(n.path, n.is_dir) == IgnoreMatcher::Result::kIncluded)
        ++reincluded_seen;
    }
  }
  // The generator must exercise both outcomes substantially.
  CHECK(compared > 2000);
  CHECK(ignored_seen > compared / 10);
  CHECK(reincluded_seen > 20);
}

}  // namespace
}  // namespace fluxcpp::artifact
