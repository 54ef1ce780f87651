#include "libs/artifact/untar.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include "libs/artifact/archive_builder.h"
#include "libs/artifact/gzip_writer.h"
#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::artifact {
namespace {

using testing::PathExists;
using testing::TempDir;

// Hand-crafts a raw ustar header so tests can express what our writer refuses to.
std::string RawHeader(const std::string& name, char type, uint32_t mode, size_t size,
                      const std::string& link = "") {
  char b[512] = {};
  std::memcpy(b, name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(b + 100, 8, "%07o", mode);
  std::snprintf(b + 108, 8, "%07o", 0);
  std::snprintf(b + 116, 8, "%07o", 0);
  std::snprintf(b + 124, 12, "%011zo", size);
  std::snprintf(b + 136, 12, "%011o", 0);
  b[156] = type;
  std::memcpy(b + 157, link.data(), std::min<size_t>(link.size(), 100));
  std::memcpy(b + 257,
              "ustar\0"
              "00",
              8);
  std::memset(b + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : b) sum += c;
  std::snprintf(b + 148, 8, "%06o", sum);
  return std::string(b, 512);
}

std::string Data(const std::string& d) {
  std::string out = d;
  out.resize((d.size() + 511) / 512 * 512, '\0');
  return out;
}

std::string End() { return std::string(1024, '\0'); }

std::string Gzip(const std::string& raw) {
  std::string out;
  StringSink sink(out);
  GzipWriter gz(sink);
  REQUIRE(gz.Write(raw).ok());
  REQUIRE(gz.Close().ok());
  return out;
}

absl::Status Extract(const std::string& raw_tar, const std::string& dest, int64_t max_size = 0) {
  std::string gz = Gzip(raw_tar);
  StringSource src(gz);
  UntarOptions options;
  options.max_size = max_size;
  return Untar(src, dest, options);
}

TEST_CASE("Untar round-trips an archive we built", "[untar]") {
  TempDir src, dest;
  testing::WriteFile(src.Join("a/b/c.txt"), "deep");
  testing::WriteFile(src.Join("x.sh"), "#!/bin/sh\n", 0755);
  auto tgz = BuildTarGz(src.path());
  REQUIRE(tgz.ok());
  StringSource in(*tgz);
  REQUIRE(Untar(in, dest.Join("out")).ok());
  CHECK(testing::ReadFile(dest.Join("out/a/b/c.txt")) == "deep");
  struct stat st;
  REQUIRE(::stat(dest.Join("out/x.sh").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("Untar refuses absolute paths", "[untar]") {
  TempDir dest;
  const std::string target = dest.Join("abs-target.txt");
  std::string tar = RawHeader(target, '0', 0644, 4) + Data("evil") + End();
  absl::Status st = Extract(tar, dest.Join("out"));
  CHECK(st.code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(PathExists(target));
}

TEST_CASE("Untar refuses .. components", "[untar]") {
  TempDir dest;
  std::string tar = RawHeader("ok.txt", '0', 0644, 2) + Data("ok") +
                    RawHeader("../escape.txt", '0', 0644, 4) + Data("evil") + End();
  absl::Status st = Extract(tar, dest.Join("out"));
  CHECK(st.code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(PathExists(dest.Join("escape.txt")));
  std::string nested = RawHeader("a/../../escape2.txt", '0', 0644, 1) + Data("x") + End();
  CHECK(Extract(nested, dest.Join("out2")).code() == absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(PathExists(dest.Join("escape2.txt")));
}

TEST_CASE("Untar skips symlinks and hard links and never writes through them", "[untar]") {
  TempDir dest;
  TempDir outside;
  std::string tar = RawHeader("link", '2', 0777, 0, outside.path()) +  // symlink to a dir outside
                    RawHeader("link/pwned.txt", '0', 0644, 5) +
                    Data("pwned") +                                   // then a file through it
                    RawHeader("hard", '1', 0644, 0, "/etc/passwd") +  // hard link
                    RawHeader("fifo", '6', 0644, 0) +                 // FIFO
                    RawHeader("ok.txt", '0', 0644, 2) + Data("ok") + End();
  absl::Status st = Extract(tar, dest.Join("out"));
  CHECK(st.ok());
  CHECK_FALSE(std::filesystem::is_symlink(dest.Join("out/link")));
  CHECK_FALSE(PathExists(outside.Join("pwned.txt")));
  CHECK_FALSE(PathExists(dest.Join("out/hard")));
  CHECK_FALSE(PathExists(dest.Join("out/fifo")));
  CHECK(testing::ReadFile(dest.Join("out/ok.txt")) == "ok");
  // "link/pwned.txt" landed as a regular file in a real directory, inside dest.
  CHECK(testing::ReadFile(dest.Join("out/link/pwned.txt")) == "pwned");
}

TEST_CASE("Untar refuses to write through a pre-existing symlink", "[untar]") {
  TempDir dest, outside;
  std::filesystem::create_directories(dest.Join("out"));
  std::filesystem::create_symlink(outside.path(), dest.Join("out/dir"));
  std::filesystem::create_symlink(outside.Join("f.txt"), dest.Join("out/f.txt"));
  CHECK(
      Extract(RawHeader("dir/x.txt", '0', 0644, 1) + Data("x") + End(), dest.Join("out")).code() ==
      absl::StatusCode::kInvalidArgument);
  CHECK(Extract(RawHeader("f.txt", '0', 0644, 1) + Data("x") + End(), dest.Join("out")).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK_FALSE(PathExists(outside.Join("x.txt")));
  CHECK_FALSE(PathExists(outside.Join("f.txt")));
}

TEST_CASE("Untar sanitises modes and caps size", "[untar]") {
  TempDir dest;
  std::string tar = RawHeader("suid", '0', 04777, 1) + Data("s") + RawHeader("ro", '0', 0400, 1) +
                    Data("r") + End();
  REQUIRE(Extract(tar, dest.Join("out")).ok());
  struct stat st;
  REQUIRE(::stat(dest.Join("out/suid").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  REQUIRE(::stat(dest.Join("out/ro").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);

  std::string big = RawHeader("a", '0', 0644, 600) + Data(std::string(600, 'a')) +
                    RawHeader("b", '0', 0644, 600) + Data(std::string(600, 'b')) + End();
  CHECK(Extract(big, dest.Join("capped"), 1000).code() == absl::StatusCode::kResourceExhausted);
  CHECK(Extract(big, dest.Join("uncapped"), 0).ok());
}

TEST_CASE("Untar reports corrupt input as data loss", "[untar]") {
  TempDir dest;
  std::string gz = Gzip(RawHeader("f", '0', 0644, 100) + Data(std::string(100, 'f')) + End());
  StringSource truncated(std::string_view(gz).substr(0, gz.size() / 2));
  CHECK(Untar(truncated, dest.Join("out")).code() == absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace fluxcpp::artifact
