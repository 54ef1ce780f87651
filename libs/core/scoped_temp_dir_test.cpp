#include "libs/core/scoped_temp_dir.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

namespace fluxcpp {
namespace {

namespace fs = std::filesystem;

TEST_CASE("ScopedTempDir removes its tree when the owner goes away") {
  const std::string parent = fs::temp_directory_path().string();
  std::string path;
  {
    auto dir = ScopedTempDir::Create(parent, "scoped-test-");
    REQUIRE(dir.ok());
    path = dir->path();
    CHECK(path.rfind(parent + "/scoped-test-", 0) == 0);
    fs::create_directories(path + "/a/b");
    std::ofstream(path + "/a/b/file") << "x";
    // Moving hands over the ownership; the moved-from object removes nothing.
    ScopedTempDir moved = *std::move(dir);
    CHECK(moved.path() == path);
    CHECK(fs::exists(path + "/a/b/file"));
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("ScopedTempDir move-assignment removes the directory it held") {
  const std::string parent = fs::temp_directory_path().string();
  auto a = ScopedTempDir::Create(parent, "scoped-a-");
  auto b = ScopedTempDir::Create(parent, "scoped-b-");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const std::string old_a = a->path();
  const std::string kept_b = b->path();
  *a = *std::move(b);
  CHECK_FALSE(fs::exists(old_a));
  CHECK(a->path() == kept_b);
  CHECK(fs::exists(kept_b));
}

TEST_CASE("ScopedTempDir::Create names the parent it cannot use") {
  auto dir = ScopedTempDir::Create("/nonexistent-parent-for-test", "x-");
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.status().code() == absl::StatusCode::kInternal);
  CHECK(std::string(dir.status().message()).find("/nonexistent-parent-for-test") != std::string::npos);
}

}  // namespace
}  // namespace fluxcpp
