#include "libs/kube/watch_decoder.h"

#include <catch2/catch.hpp>

namespace fluxcpp::kube {
namespace {

const char kStream[] =
    "{\"type\":\"ADDED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"1\"}}}\n"
    "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"2\"},"
    "\"data\":{\"k\":\"v\\n\"}}}\n"
    "\n"
    "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"resourceVersion\":\"3\"}}}\n"
    "{\"type\":\"DELETED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"4\"}}}\n";

std::vector<std::string> Summaries(const std::vector<WatchEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type + "@" + object::GetString(e.object, {"metadata", "resourceVersion"}));
  return out;
}

TEST_CASE("WatchDecoder splits lines across any chunk boundary", "[watch]") {
  const std::string stream = kStream;
  const std::vector<std::string> want = {"ADDED@1", "MODIFIED@2", "BOOKMARK@3", "DELETED@4"};
  for (size_t cut1 = 0; cut1 <= stream.size(); cut1 += 7) {
    for (size_t cut2 = cut1; cut2 <= stream.size(); cut2 += 13) {
      WatchDecoder decoder;
      std::vector<WatchEvent> events;
      auto sink = [&](WatchEvent e) {
        events.push_back(std::move(e));
        return true;
      };
      REQUIRE(decoder.Feed(std::string_view(stream).substr(0, cut1), sink).ok());
      REQUIRE(decoder.Feed(std::string_view(stream).substr(cut1, cut2 - cut1), sink).ok());
      REQUIRE(decoder.Feed(std::string_view(stream).substr(cut2), sink).ok());
      REQUIRE(decoder.Finish(sink).ok());
      INFO("cuts " << cut1 << " " << cut2);
      CHECK(Summaries(events) == want);
      CHECK(decoder.pending() == 0);
    }
  }
}

TEST_CASE("WatchDecoder byte by byte, and a final line without newline", "[watch]") {
  std::string stream = kStream;
  stream.pop_back();  // no trailing newline on the last event
  WatchDecoder decoder;
  std::vector<WatchEvent> events;
  auto sink = [&](WatchEvent e) {
    events.push_back(std::move(e));
    return true;
  };
  for (char c : stream) REQUIRE(decoder.Feed(std::string_view(&c, 1), sink).ok());
  CHECK(events.size() == 3);
  REQUIRE(decoder.Finish(sink).ok());
  CHECK(events.size() == 4);
  CHECK(object::GetString(events[1].object, {"data", "k"}) == "v\n");
}

TEST_CASE("WatchDecoder reports malformed lines and a stopping sink", "[watch]") {
  WatchDecoder decoder;
  auto accept = [](WatchEvent) { return true; };
  CHECK(absl::IsDataLoss(decoder.Feed("not json\n", accept)));
  WatchDecoder d2;
  CHECK(absl::IsDataLoss(d2.Feed("{\"object\":{}}\n", accept)));
  WatchDecoder d3;
  int seen = 0;
  auto stop_after_one = [&](WatchEvent) { return ++seen < 1; };
  CHECK(absl::IsCancelled(d3.Feed(kStream, stop_after_one)));
  CHECK(seen == 1);
}

}  // namespace
}  // namespace fluxcpp::kube
