#include "libs/runtime/work_queue.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace fluxcpp::runtime {
namespace {

using namespace std::chrono_literals;

TEST_CASE("WorkQueue de-duplicates keys", "[work_queue]") {
  WorkQueue<> q;
  q.Add("ns/a");
  q.Add("ns/a");
  q.Add("ns/b");
  q.Add("ns/a");
  REQUIRE(q.Len() == 2);
  auto k1 = q.Get();
  auto k2 = q.Get();
  REQUIRE(k1 == "ns/a");
  REQUIRE(k2 == "ns/b");
  REQUIRE(q.Len() == 0);
  q.Done(*k1);
  q.Done(*k2);
  REQUIRE(q.Len() == 0);
}

TEST_CASE("WorkQueue re-queues a key added while processing, after Done", "[work_queue]") {
  WorkQueue<> q;
  q.Add("k");
  auto k = q.Get();
  REQUIRE(k == "k");
  q.Add("k");
  q.Add("k");
  REQUIRE(q.Len() == 0);  // not handed out while processing
  REQUIRE(q.NumProcessing() == 1);
  q.Done("k");
  REQUIRE(q.Len() == 1);
  REQUIRE(q.Get() == "k");
  q.Done("k");
  REQUIRE(q.Len() == 0);
}

TEST_CASE("WorkQueue never hands one key to two workers", "[work_queue]") {
  WorkQueue<> q;
  constexpr int kKeys = 5;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::set<std::string> active;
  std::atomic<int> violations{0};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        {
          std::lock_guard<std::mutex> l(mu);
          if (!active.insert(*key).second) ++violations;
        }
        std::this_thread::sleep_for(50us);
        {
          std::lock_guard<std::mutex> l(mu);
          active.erase(*key);
        }
        ++processed;
        q.Done(*key);
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < 8; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < 2000; ++i) {
        std::string key = "ns/k" + std::to_string((i + p) % kKeys);
        if (i % 3 == 0) {
          q.AddAfter(key, std::chrono::microseconds(i % 200));
        } else {
          q.Add(key);
        }
      }
    });
  }
  for (auto& t : producers) t.join();
  // Let the queue run dry, then stop.
  for (int i = 0; i < 200 && (q.Len() > 0 || q.NumWaiting() > 0 || q.NumProcessing() > 0); ++i) {
    std::this_thread::sleep_for(5ms);
  }
  REQUIRE(q.ShutDownWithDrain(5s));
  for (auto& t : workers) t.join();
  REQUIRE(violations == 0);
  REQUIRE(processed > 0);
  REQUIRE(processed < 8 * 2000);  // de-duplicated
}

TEST_CASE("WorkQueue rate limiting backs off exponentially and Forget resets", "[work_queue]") {
  WorkQueueOptions opts;
  opts.min_retry_delay = 750ms;
  opts.max_retry_delay = 15min;
  WorkQueue<> q(opts);
  REQUIRE(q.PeekBackoff("k") == 750ms);
  std::vector<Duration> seen;
  for (int i = 0; i < 14; ++i) {
    seen.push_back(q.PeekBackoff("k"));
    q.AddRateLimited("k");
  }
  REQUIRE(seen[0] == 750ms);
  REQUIRE(seen[1] == 1500ms);
  REQUIRE(seen[2] == 3s);
  REQUIRE(seen[3] == 6s);
  for (size_t i = 1; i < seen.size(); ++i) REQUIRE(seen[i] >= seen[i - 1]);
  REQUIRE(seen.back() == 15min);  // 750ms * 2^13 > 15m: capped
  REQUIRE(q.NumRequeues("k") == 14);
  REQUIRE(q.PeekBackoff("other") == 750ms);  // per key
  q.Forget("k");
  REQUIRE(q.NumRequeues("k") == 0);
  REQUIRE(q.PeekBackoff("k") == 750ms);
}

TEST_CASE("WorkQueue AddRateLimited delays the key", "[work_queue]") {
  WorkQueueOptions opts;
  opts.min_retry_delay = 40ms;
  opts.max_retry_delay = 1s;
  WorkQueue<> q(opts);
  auto start = std::chrono::steady_clock::now();
  q.AddRateLimited("k");
  REQUIRE(q.Len() == 0);
  REQUIRE(q.Get() == "k");
  REQUIRE(std::chrono::steady_clock::now() - start >= 40ms);
  q.Done("k");
}

TEST_CASE("WorkQueue AddAfter orders by deadline and earliest wins", "[work_queue]") {
  WorkQueue<> q;
  q.AddAfter("c", 90ms);
  q.AddAfter("a", 30ms);
  q.AddAfter("b", 60ms);
  q.AddAfter("c", 10ms);   // earlier: wins
  q.AddAfter("a", 500ms);  // later: ignored
  REQUIRE(q.NumWaiting() == 3);
  REQUIRE(q.Len() == 0);
  auto start = std::chrono::steady_clock::now();
  REQUIRE(q.Get() == "c");
  REQUIRE(q.Get() == "a");
  REQUIRE(q.Get() == "b");
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(elapsed >= 55ms);
  REQUIRE(elapsed < 400ms);
  q.Done("a");
  q.Done("b");
  q.Done("c");
}

TEST_CASE("WorkQueue Add of a waiting key makes it ready now", "[work_queue]") {
  WorkQueue<> q;
  q.AddAfter("k", 1h);
  q.Add("k");
  REQUIRE(q.NumWaiting() == 0);
  REQUIRE(q.Len() == 1);
}

TEST_CASE("WorkQueue ShutDown unblocks Get and drain waits for Done", "[work_queue]") {
  WorkQueue<> q;
  std::thread waiter([&] { REQUIRE_FALSE(q.Get().has_value()); });
  std::this_thread::sleep_for(20ms);
  q.ShutDown();
  waiter.join();
  q.Add("late");
  REQUIRE(q.Len() == 0);

  WorkQueue<> q2;
  q2.Add("busy");
  auto k = q2.Get();
  REQUIRE(k == "busy");
  std::atomic<bool> done{false};
  std::thread worker([&] {
    std::this_thread::sleep_for(50ms);
    done = true;
    q2.Done("busy");
  });
  REQUIRE(q2.ShutDownWithDrain(5s));
  REQUIRE(done);
  worker.join();

  WorkQueue<> q3;
  q3.Add("stuck");
  REQUIRE(q3.Get() == "stuck");
  auto start = std::chrono::steady_clock::now();
  REQUIRE_FALSE(q3.ShutDownWithDrain(30ms));  // bounded
  REQUIRE(std::chrono::steady_clock::now() - start < 2s);
}

class CountingMetrics : public WorkQueueMetrics {
 public:
  void OnAdd() override { ++adds; }
  void OnDepth(int64_t d) override { depth = d; }
  void OnGet(Duration) override { ++gets; }
  void OnDone(Duration) override { ++dones; }
  void OnRetry() override { ++retries; }
  int adds = 0, gets = 0, dones = 0, retries = 0;
  int64_t depth = -1;
};

TEST_CASE("WorkQueue reports metrics", "[work_queue]") {
  CountingMetrics m;
  WorkQueueOptions opts;
  opts.metrics = &m;
  opts.min_retry_delay = 1ms;
  WorkQueue<> q(opts);
  q.Add("a");
  q.Add("a");
  q.Add("b");
  REQUIRE(m.adds == 2);
  REQUIRE(m.depth == 2);
  q.Get();
  REQUIRE(m.depth == 1);
  REQUIRE(m.gets == 1);
  q.Done("a");
  REQUIRE(m.dones == 1);
  q.AddRateLimited("c");
  REQUIRE(m.retries == 1);
}

}  // namespace
}  // namespace fluxcpp::runtime
