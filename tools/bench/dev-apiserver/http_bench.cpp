#include "tools/bench/dev-apiserver/http_bench.h"

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/object/value.h"
#include "libs/object/yaml.h"

namespace fluxcpp::devapiserver::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Server {
  pid_t pid = -1;
  std::string host;
  int port = 0;
  std::string token;
  ~Server() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      int status = 0;
      waitpid(pid, &status, 0);
    }
  }
};

bool Start(const HttpBenchOptions& o, Server& server) {
  std::string kubeconfig = o.dir + "/kubeconfig";
  std::filesystem::create_directories(o.dir);
  std::string log = o.dir + "/server.log";
  server.pid = fork();
  if (server.pid == 0) {
    FILE* f = freopen(log.c_str(), "w", stderr);
    (void)f;
    execl(o.server_binary.c_str(), o.server_binary.c_str(), "--listen", "127.0.0.1:0", "--data-dir",
          (o.dir + "/data").c_str(), "--kubeconfig-out", kubeconfig.c_str(), "--tls=false", "--simulate-workloads=false",
          "--log-level", "error", static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 200 && !std::filesystem::exists(kubeconfig); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::ifstream in(kubeconfig);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = object::ParseYaml(text.str());
  if (!parsed.ok()) {
    std::fprintf(stderr, "http bench: no kubeconfig from %s (see %s)\n", o.server_binary.c_str(), log.c_str());
    return false;
  }
  std::string url = object::GetString((*parsed)["clusters"][0], {"cluster", "server"});
  server.token = object::GetString((*parsed)["users"][0], {"user", "token"});
  // http://HOST:PORT
  std::string hostport = url.substr(url.find("//") + 2);
  server.host = hostport.substr(0, hostport.rfind(':'));
  server.port = std::stoi(hostport.substr(hostport.rfind(':') + 1));
  return true;
}

std::unique_ptr<httplib::Client> Client(const Server& s) {
  auto c = std::make_unique<httplib::Client>(s.host, s.port);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);  // like Go clients (kubectl, client-go)
  c->set_bearer_token_auth(s.token);
  c->set_read_timeout(120, 0);
  return c;
}

std::string ConfigMap(const std::string& name, int i) {
  return absl::StrCat(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")", name,
                      R"(","namespace":"default","labels":{"app":"bench"}},"data":{"key":"value-)", i, R"("}})");
}

constexpr const char* kConfigMaps = "/api/v1/namespaces/default/configmaps";

}  // namespace

int RunHttpBench(const HttpBenchOptions& o) {
  std::filesystem::remove_all(o.dir);
  Server server;
  if (!Start(o, server)) return 1;

  // 1. Writes/s over keep-alive connections.
  std::atomic<int> next{0}, failed{0};
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < o.writers; ++w) {
    threads.emplace_back([&] {
      auto c = Client(server);
      for (int i = next++; i < o.objects; i = next++) {
        auto res = c->Post(kConfigMaps, ConfigMap(absl::StrCat("cm-", i), i), "application/json");
        if (!res || res->status != 201) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  double write_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("http writes: %d POSTs in %.2fs = %.0f writes/s (%d keep-alive connections, %d failed)\n", o.objects,
              write_s, o.objects / write_s, o.writers, failed.load());

  // 2. LIST 10,000 objects: request to last body byte; the client's JSON
  // parse of the 4-5 MB body is reported beside it.
  {
    auto c = Client(server);
    std::vector<double> times, parse_times;
    size_t items = 0, bytes = 0;
    for (int i = 0; i < 5; ++i) {
      auto t = Clock::now();
      auto res = c->Get(absl::StrCat(kConfigMaps, "?limit=10000"));
      if (!res || res->status != 200) {
        std::fprintf(stderr, "http bench: list failed\n");
        return 1;
      }
      times.push_back(Ms(Clock::now() - t));
      auto p = Clock::now();
      auto parsed = object::ParseJson(res->body);
      parse_times.push_back(Ms(Clock::now() - p));
      items = parsed.ok() ? (*parsed)["items"].size() : 0;
      bytes = res->body.size();
    }
    std::sort(times.begin(), times.end());
    std::sort(parse_times.begin(), parse_times.end());
    std::printf("http list: %zu objects (%.1f MB) in %.1f ms to the last byte (median of 5); client JSON parse %.1f ms\n",
                items, bytes / 1e6, times[2], parse_times[2]);
  }

  // 3. Watch fan-out: every watcher its own connection.
  {
    auto c = Client(server);
    auto list = c->Get(absl::StrCat(kConfigMaps, "?limit=1"));
    auto parsed = list ? object::ParseJson(list->body) : absl::StatusOr<object::Value>(absl::UnknownError("no list"));
    if (!parsed.ok()) {
      std::fprintf(stderr, "http bench: list failed\n");
      return 1;
    }
    std::string rv = object::GetString(*parsed, {"metadata", "resourceVersion"});
    std::vector<Clock::time_point> sent(o.events);
    std::vector<std::vector<double>> lat(o.watchers);
    std::atomic<int> ready{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> readers;
    std::vector<std::unique_ptr<httplib::Client>> watch_clients;
    for (int i = 0; i < o.watchers; ++i) watch_clients.push_back(Client(server));
    for (int i = 0; i < o.watchers; ++i) {
      readers.emplace_back([&, i] {
        std::string buffer;
        int got = 0;
        auto receive = [&](const char* data, size_t len) {
          buffer.append(data, len);
          size_t nl;
          while ((nl = buffer.find('\n')) != std::string::npos) {
            auto now = Clock::now();
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            size_t at = line.find("\"name\":\"fan-");
            if (at == std::string::npos) continue;
            int e = std::atoi(line.c_str() + at + 12);
            if (e >= 0 && e < o.events) lat[i].push_back(Ms(now - sent[e]));
            ++got;
          }
          return !stop && got < o.events;
        };
        ++ready;
        watch_clients[i]->Get(absl::StrCat(kConfigMaps, "?watch=1&resourceVersion=", rv, "&timeoutSeconds=120"),
                              receive);
      });
    }
    while (ready < o.watchers) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::seconds(2));  // let every stream connect
    auto writer = Client(server);
    for (int e = 0; e < o.events; ++e) {
      sent[e] = Clock::now();
      writer->Post(kConfigMaps, ConfigMap(absl::StrCat("fan-", e), e), "application/json");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    // Give slow streams a moment, then close them.
    for (int wait = 0; wait < 100; ++wait) {
      size_t done = 0;
      for (const auto& l : lat) done += l.size() >= static_cast<size_t>(o.events);
      if (done == lat.size()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    stop = true;
    for (auto& wc : watch_clients) wc->stop();
    for (auto& t : readers) t.join();
    std::vector<double> all;
    for (const auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    size_t expected = static_cast<size_t>(o.watchers) * o.events;
    if (all.empty()) {
      std::printf("http watch fan-out: no deliveries\n");
      return 1;
    }
    std::printf("http watch fan-out: %d watch streams x %d events, delivery p50 %.2f ms, p99 %.2f ms, max %.2f ms "
                "(%zu of %zu delivered)\n",
                o.watchers, o.events, all[all.size() / 2], all[all.size() * 99 / 100], all.back(), all.size(),
                expected);
  }
  std::filesystem::remove_all(o.dir);
  return 0;
}

}  // namespace fluxcpp::devapiserver::bench
