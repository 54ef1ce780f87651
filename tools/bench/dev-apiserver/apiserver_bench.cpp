// dev-apiserver benchmark (issue 3). First in process over the real store,
// WAL and API semantics (HTTP excluded): writes/s of small ConfigMaps with a
// durable --data-dir, listing 10,000 objects, watch fan-out to 500 watchers
// (p99 delivery latency), memory per stored object against its JSON size,
// and start-up (WAL replay + bootstrap) with 100,000 objects. Then over real
// HTTP against a dev-apiserver process (http_bench.h): writes/s, LIST of
// 10,000 objects, watch fan-out to 500 watch streams.
//
//   dev-apiserver-bench [--objects 100000] [--writers 16] [--dir /tmp/x]
//                       [--http-objects 20000] [--server path/to/dev-apiserver]
//                       [--only inprocess|http]

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/bench/dev-apiserver/http_bench.h"
#include "tools/dev-apiserver/object_service.h"
#include "tools/dev-apiserver/resource_registry.h"
#include "tools/dev-apiserver/store.h"

using namespace fluxcpp;
using namespace fluxcpp::devapiserver;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

long RssKb() {
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

object::Value SmallConfigMap(const std::string& name, int i) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", "bench"}}}}},
          {"data", {{"key", absl::StrCat("value-", i)}}}};
}

}  // namespace

int main(int argc, char** argv) {
  int objects = 100000, writers = 16, watchers = 500, http_objects = 20000;
  std::string dir = "/tmp/dev-apiserver-bench", only;
  std::string server = (std::filesystem::path(argv[0]).parent_path() / "dev-apiserver").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--objects") objects = std::atoi(argv[i + 1]);
    if (flag == "--writers") writers = std::atoi(argv[i + 1]);
    if (flag == "--watchers") watchers = std::atoi(argv[i + 1]);
    if (flag == "--dir") dir = argv[i + 1];
    if (flag == "--http-objects") http_objects = std::atoi(argv[i + 1]);
    if (flag == "--server") server = argv[i + 1];
    if (flag == "--only") only = argv[i + 1];
  }
  bench::HttpBenchOptions http{server, dir + "-http", std::max(http_objects, 10000), writers, watchers, 200};
  if (only == "http") return bench::RunHttpBench(http);
  std::filesystem::remove_all(dir);
  long rss_start = RssKb();
  Store::Options options;
  options.data_dir = dir;
  auto store = Store::Open(options);
  if (!store.ok()) return 1;
  ResourceRegistry registry;
  ObjectService service(**store, registry);
  if (!service.Bootstrap().ok()) return 1;
  ResourcePtr cm = registry.FindAnyVersion("", "configmaps");

  // 1. Writes/s: `writers` threads creating small objects, each write fsynced (group commit).
  std::atomic<int> next{0}, failed{0};
  std::atomic<size_t> json_bytes{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      for (int i = next++; i < objects; i = next++) {
        RequestScope scope{cm, "default", "", "", "bench", false};
        auto r = service.Create(scope, SmallConfigMap(absl::StrCat("cm-", i), i));
        if (!r.ok()) {
          ++failed;
        } else {
          json_bytes += r->json->size();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double write_s = Seconds(t0);
  std::printf("writes: %d small objects in %.2fs = %.0f writes/s (%d writers, fsync group commit, %d failed)\n",
              objects, write_s, objects / write_s, writers, failed.load());

  // 2. Memory per stored object vs its JSON size.
  long rss_after = RssKb();
  double per_object = (rss_after - rss_start) * 1024.0 / objects;
  double json_avg = static_cast<double>(json_bytes) / objects;
  std::printf("memory: %.0f bytes RSS per object, JSON %.0f bytes (ratio %.2f)\n", per_object, json_avg,
              per_object / json_avg);

  // 3. List 10,000 objects (label-selected page of the namespace).
  {
    RequestScope scope{cm, "default", "", "", "bench", false};
    ListOptions list;
    list.limit = 10000;
    std::vector<double> times;
    for (int i = 0; i < 5; ++i) {
      auto t = std::chrono::steady_clock::now();
      auto r = service.List(scope, list);
      // Serialize as the HTTP handler does (concatenate stored JSON).
      size_t total = 0;
      std::string out;
      for (const auto& item : r->items) total += item->size() + 1;
      out.reserve(total);
      for (const auto& item : r->items) out += *item;
      times.push_back(Seconds(t) * 1000);
    }
    std::sort(times.begin(), times.end());
    std::printf("list: 10,000 objects in %.1f ms (median of 5)\n", times[2]);
  }

  // 4. Watch fan-out: `watchers` watchers, 200 writes, delivery latency per event per watcher.
  {
    std::vector<std::shared_ptr<Watcher>> ws;
    for (int i = 0; i < watchers; ++i) {
      ws.push_back(*(*store)->Watch({cm->GroupResource(), "default", {}, {}}, Store::WatchFrom::kNow));
    }
    const int events = 200;
    std::vector<std::chrono::steady_clock::time_point> sent(events);
    std::vector<std::vector<double>> lat(watchers);
    std::atomic<bool> done{false};
    std::vector<std::thread> readers;
    for (int i = 0; i < watchers; ++i) {
      readers.emplace_back([&, i] {
        int got = 0;
        while (got < events) {
          auto ds = ws[i]->Next(absl::Milliseconds(200));
          auto now = std::chrono::steady_clock::now();
          for (size_t k = 0; k < ds.size() && got < events; ++k, ++got) {
            lat[i].push_back(std::chrono::duration<double>(now - sent[got]).count() * 1000);
          }
          if (done && ds.empty()) break;
        }
      });
    }
    for (int e = 0; e < events; ++e) {
      sent[e] = std::chrono::steady_clock::now();
      RequestScope scope{cm, "default", "", "", "bench", false};
      (void)service.Create(scope, SmallConfigMap(absl::StrCat("fan-", e), e));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    done = true;
    for (auto& t : readers) t.join();
    std::vector<double> all;
    for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    if (!all.empty()) {
      std::printf("watch fan-out: %d watchers x %d events, delivery p50 %.2f ms, p99 %.2f ms (%zu deliveries)\n",
                  watchers, events, all[all.size() / 2], all[all.size() * 99 / 100], all.size());
    }
    for (auto& w : ws) (*store)->Unwatch(w);
  }

  // 5. Start-up with the objects in the data dir: replay + bootstrap.
  store->reset();
  {
    auto t = std::chrono::steady_clock::now();
    auto reopened = Store::Open(options);
    ResourceRegistry registry2;
    ObjectService service2(**reopened, registry2);
    if (!service2.Bootstrap().ok()) return 1;
    std::printf("start-up: %zu records replayed in %.2f s\n", (*reopened)->ReplayedRecords(), Seconds(t));
  }
  std::filesystem::remove_all(dir);
  if (only == "inprocess") return 0;
  return bench::RunHttpBench(http);
}
