#include <catch2/catch.hpp>
#include <cstring>

#include "libs/artifact/tar_reader.h"
#include "libs/artifact/tar_writer.h"
#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::artifact {
namespace {

struct Item {
  std::string name;
  TarEntry::Type type;
  uint32_t mode;
  std::string data;
};

std::string WriteTar(const std::vector<TarEntryHeader>& headers,
                     const std::vector<std::string>& data) {
  std::string out;
  StringSink sink(out);
  TarWriter tar(sink);
  for (size_t i = 0; i < headers.size(); ++i) {
    REQUIRE(tar.WriteHeader(headers[i]).ok());
    if (!data[i].empty()) REQUIRE(tar.WriteData(data[i]).ok());
  }
  REQUIRE(tar.Close().ok());
  return out;
}

absl::StatusOr<std::vector<Item>> ReadTar(std::string_view bytes) {
  StringSource src(bytes);
  TarReader reader(src);
  std::vector<Item> items;
  while (true) {
    auto next = reader.Next();
    if (!next.ok()) return next.status();
    if (!next->has_value()) return items;
    Item item{(*next)->name, (*next)->type, (*next)->mode, ""};
    char buf[777];
    while (true) {
      auto n = reader.ReadData(buf, sizeof(buf));
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      item.data.append(buf, *n);
    }
    items.push_back(std::move(item));
  }
}

TEST_CASE("TarWriter/TarReader round trip incl. long names", "[tar]") {
  const std::string long_dir(120, 'd');
  const std::string split_name = long_dir + "/" + std::string(90, 'f');  // ustar prefix split
  const std::string pax_name = std::string(300, 'p') + "/" + std::string(5, 'x');  // needs PAX
  std::vector<TarEntryHeader> headers = {
      {"dir", TarEntryHeader::Type::kDirectory, 0750, 0, 0},
      {"dir/a.txt", TarEntryHeader::Type::kRegular, 0600, 5, 0},
      {"dir/run.sh", TarEntryHeader::Type::kRegular, 0700, 513, 0},
      {split_name, TarEntryHeader::Type::kRegular, 0600, 1, 0},
      {pax_name, TarEntryHeader::Type::kRegular, 0600, 3, 0},
      {"empty", TarEntryHeader::Type::kRegular, 0600, 0, 0},
  };
  std::vector<std::string> data = {"", "hello", std::string(513, 'z'), "!", "pax", ""};
  std::string bytes = WriteTar(headers, data);
  CHECK(bytes.size() % 512 == 0);
  auto items = ReadTar(bytes);
  REQUIRE(items.ok());
  REQUIRE(items->size() == headers.size());
  CHECK((*items)[0].name == "dir/");
  CHECK((*items)[0].type == TarEntry::Type::kDirectory);
  CHECK((*items)[0].mode == 0750);
  CHECK((*items)[1].name == "dir/a.txt");
  CHECK((*items)[1].data == "hello");
  CHECK((*items)[2].mode == 0700);
  CHECK((*items)[2].data == std::string(513, 'z'));
  CHECK((*items)[3].name == split_name);
  CHECK((*items)[4].name == pax_name);
  CHECK((*items)[4].data == "pax");
  CHECK((*items)[5].data.empty());
}

TEST_CASE("TarWriter output is accepted by GNU tar", "[tar]") {
  testing::TempDir dir;
  const std::string pax_name = std::string(200, 'q') + "/" + std::string(150, 'r');
  std::string bytes = WriteTar({{"a", TarEntryHeader::Type::kDirectory, 0750, 0, 0},
                                {"a/b.txt", TarEntryHeader::Type::kRegular, 0600, 2, 0},
                                {pax_name, TarEntryHeader::Type::kRegular, 0700, 1, 0}},
                               {"", "hi", "x"});
  testing::WriteFile(dir.Join("t.tar"), bytes);
  auto list = testing::RunCommand({"tar", "-tvf", dir.Join("t.tar")});
  REQUIRE(list.exit_code == 0);
  CHECK(list.output.find("drwxr-x--- 0/0") != std::string::npos);
  CHECK(list.output.find("-rw------- 0/0") != std::string::npos);
  CHECK(list.output.find("1970-01-01") != std::string::npos);
  CHECK(list.output.find(pax_name) != std::string::npos);
  auto extract = testing::RunCommand({"tar", "-xf", dir.Join("t.tar"), "-C", dir.path()});
  REQUIRE(extract.exit_code == 0);
  CHECK(testing::ReadFile(dir.Join("a/b.txt")) == "hi");
  CHECK(testing::ReadFile(dir.Join(pax_name)) == "x");
}

TEST_CASE("TarReader reads GNU tar archives with long names", "[tar]") {
  testing::TempDir dir;
  const std::string long_name = std::string(150, 'n') + ".txt";
  testing::WriteFile(dir.Join("src/" + long_name), "long");
  auto gnu = testing::RunCommand(
      {"tar", "--format=gnu", "-cf", dir.Join("g.tar"), "-C", dir.Join("src"), "."});
  REQUIRE(gnu.exit_code == 0);
  auto items = ReadTar(testing::ReadFile(dir.Join("g.tar")));
  REQUIRE(items.ok());
  bool found = false;
  for (const auto& item : *items) {
    if (item.name == "./" + long_name) {
      found = true;
      CHECK(item.data == "long");
    }
  }
  CHECK(found);
}

TEST_CASE("TarReader rejects corrupt headers and truncation", "[tar]") {
  std::string bytes =
      WriteTar({{"f", TarEntryHeader::Type::kRegular, 0600, 600, 0}}, {std::string(600, 'a')});
  std::string bad_sum = bytes;
  bad_sum[0] = 'g';
  CHECK(ReadTar(bad_sum).status().code() == absl::StatusCode::kDataLoss);
  CHECK(ReadTar(bytes.substr(0, 700)).status().code() == absl::StatusCode::kDataLoss);
  CHECK(ReadTar(bytes.substr(0, 100)).status().code() == absl::StatusCode::kDataLoss);
  auto empty = ReadTar("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("TarWriter enforces declared sizes", "[tar]") {
  std::string out;
  StringSink sink(out);
  TarWriter tar(sink);
  REQUIRE(tar.WriteHeader({"f", TarEntryHeader::Type::kRegular, 0600, 2, 0}).ok());
  CHECK_FALSE(tar.WriteData("abc").ok());
  REQUIRE(tar.WriteData("a").ok());
  CHECK_FALSE(tar.Close().ok());
}

}  // namespace
}  // namespace fluxcpp::artifact
