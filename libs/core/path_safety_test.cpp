#include "libs/core/path_safety.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

TEST_CASE("CleanPath") {
  CHECK(fluxcpp::CleanPath("a/./b/../c") == "a/c");
  CHECK(fluxcpp::CleanPath("../a") == "../a");
  CHECK(fluxcpp::CleanPath("/../a") == "/a");
  CHECK(fluxcpp::CleanPath("") == ".");
  CHECK(fluxcpp::CleanPath("./") == ".");
}

TEST_CASE("IsSafeRelativePath") {
  CHECK(fluxcpp::IsSafeRelativePath("a/b"));
  CHECK_FALSE(fluxcpp::IsSafeRelativePath("/etc/passwd"));
  CHECK_FALSE(fluxcpp::IsSafeRelativePath("a/../../b"));
  CHECK_FALSE(fluxcpp::IsSafeRelativePath(""));
}

TEST_CASE("SecureJoin never leaves the root") {
  fs::path root = fs::temp_directory_path() / ("securejoin-" + std::to_string(::getpid()));
  fs::create_directories(root / "dir");
  fs::create_symlink("/etc", root / "abs-link");
  fs::create_symlink("../../..", root / "dir" / "up-link");
  CHECK(*fluxcpp::SecureJoin(root, "dir/x") == root.string() + "/dir/x");
  CHECK(*fluxcpp::SecureJoin(root, "../../etc/passwd") == root.string() + "/etc/passwd");
  CHECK(*fluxcpp::SecureJoin(root, "/etc/passwd") == root.string() + "/etc/passwd");
  CHECK(*fluxcpp::SecureJoin(root, "abs-link/passwd") == root.string() + "/etc/passwd");
  CHECK(*fluxcpp::SecureJoin(root, "dir/up-link/x") == root.string() + "/x");
  fs::remove_all(root);
}
