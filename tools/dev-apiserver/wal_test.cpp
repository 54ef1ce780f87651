#include "tools/dev-apiserver/wal.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

using fluxcpp::devapiserver::Wal;

namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/wal_test_XXXXXX";
  return mkdtemp(tmpl);
}

std::vector<Wal::Record> ReadAll(const std::string& path, Wal::ReplayStats* stats = nullptr) {
  std::vector<Wal::Record> out;
  auto wal = Wal::Open(path, [&](Wal::Record&& r) { out.push_back(std::move(r)); }, stats);
  REQUIRE(wal.ok());
  return out;
}

void Write(const std::string& path, const std::vector<Wal::Record>& records) {
  auto wal = Wal::Open(path, [](Wal::Record&&) {});
  REQUIRE(wal.ok());
  uint64_t ticket = 0;
  for (const auto& r : records) {
    auto t = (*wal)->Append(r);
    REQUIRE(t.ok());
    ticket = *t;
  }
  REQUIRE((*wal)->Sync(ticket).ok());
}

}  // namespace

TEST_CASE("wal replays what was appended") {
  std::string path = TempDir() + "/wal.log";
  Write(path, {{1, Wal::Op::kPut, "configmaps/ns/a", R"({"a":1})"},
               {2, Wal::Op::kPut, "configmaps/ns/b", R"({"b":2})"},
               {3, Wal::Op::kDelete, "configmaps/ns/a", ""}});
  auto records = ReadAll(path);
  REQUIRE(records.size() == 3);
  CHECK(records[0].rv == 1);
  CHECK(records[1].key == "configmaps/ns/b");
  CHECK(records[1].value == R"({"b":2})");
  CHECK(records[2].op == Wal::Op::kDelete);
  // Appending after reopen continues the log.
  Write(path, {{4, Wal::Op::kPut, "configmaps/ns/c", "{}"}});
  CHECK(ReadAll(path).size() == 4);
}

TEST_CASE("wal truncates a torn tail at every cut point") {
  std::string dir = TempDir();
  std::string full = dir + "/full.log";
  Write(full, {{1, Wal::Op::kPut, "k/ns/a", std::string(100, 'x')}, {2, Wal::Op::kPut, "k/ns/b", "yy"}});
  uintmax_t size = std::filesystem::file_size(full);
  uintmax_t first = Wal::Encode({1, Wal::Op::kPut, "k/ns/a", std::string(100, 'x')}).size();
  for (uintmax_t cut = 0; cut < size; ++cut) {
    std::string path = dir + "/cut.log";
    std::filesystem::copy_file(full, path, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(path, cut);
    Wal::ReplayStats stats;
    auto records = ReadAll(path, &stats);
    size_t expected = cut >= first ? 1 : 0;
    INFO("cut at " << cut);
    CHECK(records.size() == expected);
    CHECK(std::filesystem::file_size(path) == (expected == 1 ? first : 0));
    CHECK(stats.truncated_bytes == cut - (expected == 1 ? first : 0));
    // The log is usable again after the truncation.
    Write(path, {{9, Wal::Op::kPut, "k/ns/z", "{}"}});
    CHECK(ReadAll(path).size() == expected + 1);
  }
}

TEST_CASE("wal stops at a corrupt record") {
  std::string path = TempDir() + "/wal.log";
  Write(path, {{1, Wal::Op::kPut, "k/ns/a", "aaaa"}, {2, Wal::Op::kPut, "k/ns/b", "bbbb"}});
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-2, std::ios::end);
    f.put('Z');
  }
  Wal::ReplayStats stats;
  auto records = ReadAll(path, &stats);
  CHECK(records.size() == 1);
  CHECK(stats.truncated_bytes > 0);
}

TEST_CASE("wal rewrite compacts atomically and keeps tickets monotonic") {
  std::string path = TempDir() + "/wal.log";
  auto wal = Wal::Open(path, [](Wal::Record&&) {});
  REQUIRE(wal.ok());
  uint64_t t1 = *(*wal)->Append({1, Wal::Op::kPut, "k/ns/a", "1"});
  uint64_t t2 = *(*wal)->Append({2, Wal::Op::kPut, "k/ns/a", "2"});
  REQUIRE((*wal)->Rewrite({{2, Wal::Op::kRevision, "", ""}, {2, Wal::Op::kPut, "k/ns/a", "2"}}).ok());
  CHECK((*wal)->Sync(t2).ok());  // satisfied by the rewrite
  uint64_t t3 = *(*wal)->Append({3, Wal::Op::kPut, "k/ns/b", "3"});
  CHECK(t3 > t2);
  CHECK(t2 > t1);
  REQUIRE((*wal)->Sync(t3).ok());
  wal->reset();
  auto records = ReadAll(path);
  REQUIRE(records.size() == 3);
  CHECK(records[0].op == Wal::Op::kRevision);
  CHECK(records[2].key == "k/ns/b");
}
