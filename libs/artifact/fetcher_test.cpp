#include "libs/artifact/fetcher.h"

#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <thread>

#include "libs/artifact/file_server.h"
#include "libs/artifact/storage.h"
#include "libs/core/testing/temp_dir.h"

namespace fluxcpp::artifact {
namespace {

using namespace std::chrono_literals;
using testing::PathExists;
using testing::TempDir;
using testing::WriteFile;

FetchOptions Fast() {
  FetchOptions o;
  o.retries = 2;
  o.initial_backoff = 1ms;
  o.timeout = 5s;
  return o;
}

TEST_CASE("FileServer + FetchArtifact round trip", "[fetch]") {
  TempDir dir;
  WriteFile(dir.Join("src/deploy/app.yaml"), "kind: Deployment\n");
  WriteFile(dir.Join("src/run.sh"), "#!/bin/sh\n", 0755);
  auto storage = Storage::Create({dir.Join("data"), "127.0.0.1:0", "sha256"});
  REQUIRE(storage.ok());
  FileServer server((*storage)->root());
  REQUIRE(server.Start("127.0.0.1:0").ok());
  auto adv = AdvertisedAddress("127.0.0.1:" + std::to_string(server.port()), "");
  REQUIRE(adv.ok());
  auto served = Storage::Create({dir.Join("data"), *adv, "sha256"});
  REQUIRE(served.ok());
  Artifact a =
      (*served)->NewArtifactFor("GitRepository", "default", "app", "main@sha1:abc", "abc.tar.gz");
  auto stored = (*served)->Archive(a, dir.Join("src"));
  REQUIRE(stored.ok());

  SECTION("good digest") {
    REQUIRE(FetchArtifact(stored->url, stored->digest, dir.Join("out"), Fast()).ok());
    CHECK(testing::ReadFile(dir.Join("out/deploy/app.yaml")) == "kind: Deployment\n");
  }
  SECTION("bare hex digest means sha256") {
    REQUIRE(FetchArtifact(stored->url, stored->digest.substr(7), dir.Join("out"), Fast()).ok());
  }
  SECTION("bad digest is refused before unpacking") {
    const std::string bad = "sha256:" + std::string(64, '0');
    absl::Status st = FetchArtifact(stored->url, bad, dir.Join("out"), Fast());
    CHECK(st.code() == absl::StatusCode::kDataLoss);
    CHECK(
        std::string(st.message())
            .rfind("failed to verify archive: computed digest doesn't match provided '" + bad + "'",
                   0) == 0);
    CHECK_FALSE(PathExists(dir.Join("out/deploy")));
  }
  SECTION("404 is not found, without retries") {
    auto start = std::chrono::steady_clock::now();
    FetchOptions slow = Fast();
    slow.initial_backoff = 2s;
    absl::Status st =
        FetchArtifact(stored->url + ".missing", stored->digest, dir.Join("out"), slow);
    CHECK(st.code() == absl::StatusCode::kNotFound);
    CHECK(std::string(st.message()).rfind("artifact not found", 0) == 0);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
  }
  server.Stop();
}

TEST_CASE("FetchArtifact retries 5xx and network errors", "[fetch]") {
  TempDir dir;
  WriteFile(dir.Join("src/a.txt"), "a");
  auto storage = Storage::Create({dir.Join("data"), "unused", "sha256"});
  REQUIRE(storage.ok());
  auto stored = (*storage)->Archive(
      (*storage)->NewArtifactFor("Bucket", "ns", "b", "r", "r.tar.gz"), dir.Join("src"));
  REQUIRE(stored.ok());
  const std::string body = testing::ReadFile((*storage)->LocalPath(*stored));

  httplib::Server flaky;
  std::atomic<int> calls{0};
  flaky.Get("/a.tar.gz", [&](const httplib::Request&, httplib::Response& res) {
    if (calls++ < 2) {
      res.status = 503;
      return;
    }
    res.set_content(body, "application/gzip");
  });
  int port = flaky.bind_to_any_port("127.0.0.1");
  std::thread t([&] { flaky.listen_after_bind(); });
  while (!flaky.is_running()) std::this_thread::yield();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/a.tar.gz";

  REQUIRE(FetchArtifact(url, stored->digest, dir.Join("out"), Fast()).ok());
  CHECK(calls == 3);
  CHECK(testing::ReadFile(dir.Join("out/a.txt")) == "a");

  calls = 0;
  FetchOptions once = Fast();
  once.retries = 1;
  absl::Status st = FetchArtifact(url, stored->digest, dir.Join("out2"), once);
  CHECK(st.code() == absl::StatusCode::kUnavailable);
  CHECK(calls == 2);
  flaky.stop();
  t.join();

  // Connection refused after the server is gone.
  CHECK(FetchArtifact(url, stored->digest, dir.Join("out3"), Fast()).code() ==
        absl::StatusCode::kUnavailable);
  CHECK(FetchArtifact("ftp://x/y", stored->digest, dir.Join("out3"), Fast()).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ArtifactUrlWithLocalhostOverride", "[fetch]") {
  ::unsetenv("SOURCE_CONTROLLER_LOCALHOST");
  ::unsetenv("SOURCE_WATCHER_LOCALHOST");
  const std::string url =
      "http://source-controller.flux-system.svc.cluster.local./gitrepository/a/b/c.tar.gz";
  CHECK(ArtifactUrlWithLocalhostOverride(url) == url);
  ::setenv("SOURCE_CONTROLLER_LOCALHOST", "localhost:9090", 1);
  CHECK(ArtifactUrlWithLocalhostOverride(url) ==
        "http://localhost:9090/gitrepository/a/b/c.tar.gz");
  const std::string watcher = "http://source-watcher.flux-system.svc/x.tar.gz";
  CHECK(ArtifactUrlWithLocalhostOverride(watcher) == watcher);
  ::setenv("SOURCE_WATCHER_LOCALHOST", "127.0.0.1:1", 1);
  CHECK(ArtifactUrlWithLocalhostOverride(watcher) == "http://127.0.0.1:1/x.tar.gz");
  ::unsetenv("SOURCE_CONTROLLER_LOCALHOST");
  ::unsetenv("SOURCE_WATCHER_LOCALHOST");
}

}  // namespace
}  // namespace fluxcpp::artifact
