#include "libs/artifact/deflate_segment.h"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <random>

#include "libs/artifact/gzip_reader.h"

namespace fluxcpp::artifact {
namespace {

std::string Gunzip(const std::string& gz) {
  StringSource src(gz);
  GzipReader reader(src);
  std::string out;
  char buf[4096];
  while (true) {
    auto n = reader.Read(buf, sizeof(buf));
    REQUIRE(n.ok());
    if (*n == 0) return out;
    out.append(buf, *n);
  }
}

struct Segment {
  std::string bytes;
  uint32_t crc;
  uint64_t size;
};

Segment Compress(SegmentCompressor& c, const std::string& input, size_t feed_chunk = 1 << 20) {
  Segment s;
  REQUIRE(c.Begin(input.size()).ok());
  for (size_t i = 0; i < input.size(); i += feed_chunk) REQUIRE(c.Feed(input.substr(i, feed_chunk), s.bytes).ok());
  REQUIRE(c.End(s.bytes).ok());
  s.crc = c.crc();
  s.size = c.size();
  return s;
}

std::string RandomText(std::mt19937& rng, size_t n) {
  static const char kAlphabet[] = "abcdefgh ij\nklmnop: 0123";
  std::string s(n, ' ');
  for (char& ch : s) ch = kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
  return s;
}

TEST_CASE("Segments decode as one gzip member in any combination", "[gzip]") {
  std::mt19937 rng(7);
  std::vector<std::string> inputs = {"", "a", RandomText(rng, 1000), RandomText(rng, 20000),
                                     std::string(300000, 'x') + RandomText(rng, 70000)};
  SegmentCompressor c;
  std::string gz;
  StringSink sink(gz);
  SegmentedGzipWriter writer(sink);
  std::string expected;
  for (const auto& in : inputs) {
    Segment s = Compress(c, in);
    REQUIRE(writer.AppendCompressed(s.bytes).ok());
    writer.AddInput(s.crc, s.size);
    expected += in;
  }
  REQUIRE(writer.Close().ok());
  CHECK(Gunzip(gz) == expected);
  // gzip(1) agrees (CRC and ISIZE included).
  z_stream zs{};
  REQUIRE(inflateInit2(&zs, 16 + 15) == Z_OK);
  std::string out(expected.size() + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_in = static_cast<uInt>(gz.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  CHECK(inflate(&zs, Z_FINISH) == Z_STREAM_END);
  CHECK(zs.total_out == expected.size());
  inflateEnd(&zs);
}

TEST_CASE("A segment's bytes depend only on its input", "[gzip]") {
  std::mt19937 rng(11);
  const std::string small = RandomText(rng, 3000);
  const std::string large = RandomText(rng, 200000);
  SegmentCompressor fresh;
  Segment a = Compress(fresh, small);
  SegmentCompressor used;
  Compress(used, large);
  Compress(used, RandomText(rng, 5000));
  Segment b = Compress(used, small, 100);  // other history, other feed sizes
  CHECK(a.bytes == b.bytes);
  CHECK(a.crc == b.crc);
  CHECK(a.size == small.size());
  CHECK(Compress(fresh, large).bytes == Compress(used, large, 4096).bytes);
}

TEST_CASE("SegmentCompressor refuses Feed before Begin", "[gzip]") {
  SegmentCompressor c;
  std::string out;
  CHECK_FALSE(c.Feed("x", out).ok());
}

}  // namespace
}  // namespace fluxcpp::artifact
