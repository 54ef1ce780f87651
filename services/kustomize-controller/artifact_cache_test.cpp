#include "services/kustomize-controller/artifact_cache.h"

#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "libs/artifact/storage.h"
#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::kustomize_controller {
namespace {

using namespace std::chrono_literals;
using fluxcpp::testing::ReadFile;
using fluxcpp::testing::TempDir;
using fluxcpp::testing::WriteFile;

// Serves two artifacts over HTTP and counts downloads.
struct Server {
  TempDir dir;
  httplib::Server http;
  std::thread thread;
  std::atomic<int> gets{0};
  std::string url_a, digest_a, url_b, digest_b;

  Server() {
    WriteFile(dir.Join("a/app/app.yaml"), "kind: A\n");
    WriteFile(dir.Join("b/app/app.yaml"), "kind: B\n");
    auto storage = artifact::Storage::Create({dir.Join("data"), "unused", "sha256"});
    REQUIRE(storage.ok());
    auto a = (*storage)->Archive((*storage)->NewArtifactFor("GitRepository", "ns", "a", "r", "a.tar.gz"), dir.Join("a"));
    auto b = (*storage)->Archive((*storage)->NewArtifactFor("GitRepository", "ns", "b", "r", "b.tar.gz"), dir.Join("b"));
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    std::string body_a = ReadFile((*storage)->LocalPath(*a)), body_b = ReadFile((*storage)->LocalPath(*b));
    http.Get("/a.tar.gz", [this, body_a](const httplib::Request&, httplib::Response& res) {
      ++gets;
      std::this_thread::sleep_for(20ms);  // let concurrent misses pile up
      res.set_content(body_a, "application/gzip");
    });
    http.Get("/b.tar.gz", [this, body_b](const httplib::Request&, httplib::Response& res) {
      ++gets;
      res.set_content(body_b, "application/gzip");
    });
    int port = http.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { http.listen_after_bind(); });
    while (!http.is_running()) std::this_thread::yield();
    std::string base = "http://127.0.0.1:" + std::to_string(port);
    url_a = base + "/a.tar.gz";
    digest_a = a->digest;
    url_b = base + "/b.tar.gz";
    digest_b = b->digest;
  }
  ~Server() {
    http.stop();
    thread.join();
  }
};

artifact::FetchOptions Fast() {
  artifact::FetchOptions o;
  o.retries = 0;
  o.timeout = 5s;
  return o;
}

TEST_CASE("ArtifactCache downloads a shared artifact once and hands out private copies") {
  Server server;
  TempDir work;
  ArtifactCache cache(work.Join("cache"), 1);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      std::string dest = work.Join("ks-" + std::to_string(i));
      std::filesystem::create_directories(dest);
      if (cache.Materialize(server.url_a, server.digest_a, dest, Fast()).ok() &&
          ReadFile(dest + "/app/app.yaml") == "kind: A\n") {
        ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 8);
  CHECK(server.gets == 1);
  CHECK(cache.downloads() == 1);

  // A copy is private: writing into it leaves the cached tree alone.
  WriteFile(work.Join("ks-0/app/kustomization.yaml"), "resources: [app.yaml]\n");
  std::string fresh = work.Join("fresh");
  std::filesystem::create_directories(fresh);
  REQUIRE(cache.Materialize(server.url_a, server.digest_a, fresh, Fast()).ok());
  CHECK(!fluxcpp::testing::PathExists(fresh + "/app/kustomization.yaml"));
  CHECK(server.gets == 1);

  // Capacity 1: b evicts a, and a is downloaded again afterwards.
  std::string b = work.Join("b");
  std::filesystem::create_directories(b);
  REQUIRE(cache.Materialize(server.url_b, server.digest_b, b, Fast()).ok());
  CHECK(ReadFile(b + "/app/app.yaml") == "kind: B\n");
  std::string again = work.Join("again");
  std::filesystem::create_directories(again);
  REQUIRE(cache.Materialize(server.url_a, server.digest_a, again, Fast()).ok());
  CHECK(server.gets == 3);
}

TEST_CASE("ArtifactCache does not cache failures") {
  Server server;
  TempDir work;
  ArtifactCache cache(work.Join("cache"), 4);
  std::string dest = work.Join("out");
  std::filesystem::create_directories(dest);
  absl::Status bad = cache.Materialize(server.url_a, "sha256:" + std::string(64, '0'), dest, Fast());
  CHECK(bad.code() == absl::StatusCode::kDataLoss);
  CHECK(cache.Materialize(server.url_a + ".missing", server.digest_a, dest, Fast()).code() ==
        absl::StatusCode::kNotFound);
  REQUIRE(cache.Materialize(server.url_a, server.digest_a, dest, Fast()).ok());
  CHECK(cache.downloads() == 3);
}

}  // namespace
}  // namespace fluxcpp::kustomize_controller

namespace fluxcpp::kustomize_controller {
namespace {

TEST_CASE("ArtifactCache::RemoveStaleRoots removes the roots of dead processes only") {
  fluxcpp::testing::TempDir parent;
  const std::string mine = parent.Join("cache-" + std::to_string(getpid()));
  const std::string dead = parent.Join("cache-999999999");
  const std::string other = parent.Join("unrelated-1");
  for (const auto& d : {mine, dead, other}) std::filesystem::create_directories(d);
  ArtifactCache::RemoveStaleRoots(parent.path(), "cache-");
  CHECK(fluxcpp::testing::PathExists(mine));
  CHECK(!fluxcpp::testing::PathExists(dead));
  CHECK(fluxcpp::testing::PathExists(other));
}

}  // namespace
}  // namespace fluxcpp::kustomize_controller
