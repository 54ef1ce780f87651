#include <catch2/catch.hpp>
#include <random>

#include "libs/artifact/gzip_reader.h"
#include "libs/artifact/gzip_writer.h"
#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::artifact {
namespace {

std::string Compress(std::string_view data) {
  std::string out;
  StringSink sink(out);
  GzipWriter gz(sink);
  REQUIRE(gz.Write(data).ok());
  REQUIRE(gz.Close().ok());
  return out;
}

absl::StatusOr<std::string> Decompress(std::string_view data) {
  StringSource src(data);
  GzipReader gz(src);
  std::string out;
  char buf[1000];
  while (true) {
    auto n = gz.Read(buf, sizeof(buf));
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    out.append(buf, *n);
  }
}

TEST_CASE("Gzip output has a fixed header and round-trips", "[gzip]") {
  std::mt19937 rng(42);
  std::string data;
  for (int i = 0; i < 300000; ++i) data += static_cast<char>('a' + rng() % 5);
  std::string gz = Compress(data);
  REQUIRE(gz.size() > 18);
  CHECK(gz.substr(0, 10) == std::string("\x1f\x8b\x08\0\0\0\0\0\0\xff", 10));
  CHECK(Compress(data) == gz);  // deterministic
  auto back = Decompress(gz);
  REQUIRE(back.ok());
  CHECK(*back == data);
}

TEST_CASE("Gzip output is readable by the gzip CLI", "[gzip]") {
  testing::TempDir dir;
  std::string gz = Compress("hello gzip\n");
  testing::WriteFile(dir.Join("x.gz"), gz);
  auto result = testing::RunCommand({"gzip", "-dc", dir.Join("x.gz")});
  CHECK(result.exit_code == 0);
  CHECK(result.output == "hello gzip\n");
}

TEST_CASE("GzipReader handles empty payloads, concatenation and corruption", "[gzip]") {
  auto empty = Decompress(Compress(""));
  REQUIRE(empty.ok());
  CHECK(empty->empty());

  auto both = Decompress(Compress("one ") + Compress("two"));
  REQUIRE(both.ok());
  CHECK(*both == "one two");

  std::string gz = Compress("some data that is long enough to matter");
  CHECK(Decompress(gz.substr(0, gz.size() - 4)).status().code() == absl::StatusCode::kDataLoss);
  std::string corrupt = gz;
  corrupt[gz.size() - 6] ^= 0x55;  // CRC mismatch
  CHECK(Decompress(corrupt).status().code() == absl::StatusCode::kDataLoss);
  CHECK(Decompress("").status().code() == absl::StatusCode::kDataLoss);
  CHECK(Decompress("not gzip at all").status().code() == absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace fluxcpp::artifact
