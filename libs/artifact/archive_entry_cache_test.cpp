#include "libs/artifact/archive_entry_cache.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::artifact {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST_CASE("ArchiveEntryCache round-trips the kept records only", "[archive]") {
  TempDir dir;
  const std::string path = dir.Join("cache");
  {
    ArchiveEntryCache cache(path);
    CHECK(cache.loaded_entries() == 0);
    cache.Keep(std::string("a\0x", 3), CachedSegment{1, 10, "AAAA"});
    cache.Keep("b", CachedSegment{2, 20, std::string(100000, 'B')});
    REQUIRE(cache.Save().ok());
  }
  {
    ArchiveEntryCache cache(path);
    CHECK(cache.loaded_entries() == 2);
    const CachedSegment* a = cache.Find(std::string("a\0x", 3));
    REQUIRE(a != nullptr);
    CHECK(a->crc == 1);
    CHECK(a->size == 10);
    CHECK(a->data == "AAAA");
    CHECK(cache.Find("a") == nullptr);
    const CachedSegment* b = cache.Find("b");
    REQUIRE(b != nullptr);
    cache.Keep("b", *b);  // reused from the loaded file
    REQUIRE(cache.Save().ok());
  }
  ArchiveEntryCache cache(path);
  CHECK(cache.loaded_entries() == 1);
  REQUIRE(cache.Find("b") != nullptr);
  CHECK(cache.Find("b")->data == std::string(100000, 'B'));
}

TEST_CASE("ArchiveEntryCache treats corrupt or foreign files as empty", "[archive]") {
  TempDir dir;
  const std::string path = dir.Join("cache");
  WriteFile(path, "something else entirely");
  CHECK(ArchiveEntryCache(path).loaded_entries() == 0);
  {
    ArchiveEntryCache cache(path);
    cache.Keep("k", CachedSegment{3, 4, "data"});
    REQUIRE(cache.Save().ok());
  }
  std::string contents;
  {
    std::ifstream in(path, std::ios::binary);
    contents.assign(std::istreambuf_iterator<char>(in), {});
  }
  WriteFile(path, contents.substr(0, contents.size() - 1));  // truncated record
  CHECK(ArchiveEntryCache(path).loaded_entries() == 0);
  CHECK(ArchiveEntryCache(dir.Join("missing")).loaded_entries() == 0);
}

TEST_CASE("ArchiveEntryCache::Save reports an unwritable location", "[archive]") {
  ArchiveEntryCache cache("/nonexistent-dir/cache");
  cache.Keep("k", CachedSegment{3, 4, "data"});
  CHECK_FALSE(cache.Save().ok());
}

}  // namespace
}  // namespace fluxcpp::artifact
