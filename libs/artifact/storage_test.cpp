#include "libs/artifact/storage.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "libs/core/testing/temp_dir.h"
#include "libs/core/digest.h"

namespace fluxcpp::artifact {
namespace {

using namespace std::chrono_literals;
using testing::PathExists;
using testing::TempDir;
using testing::WriteFile;

std::unique_ptr<Storage> MakeStorage(
    const TempDir& dir, std::string adv = "source-controller.flux-system.svc.cluster.local.") {
  auto s = Storage::Create({dir.Join("data"), adv, "sha256"});
  REQUIRE(s.ok());
  return std::move(*s);
}

void Age(const std::string& path, int seconds_ago) {
  time_t when = ::time(nullptr) - seconds_ago;
  struct timeval tv[2] = {{when, 0}, {when, 0}};
  REQUIRE(::utimes(path.c_str(), tv) == 0);
}

TEST_CASE("AdvertisedAddress derivation (§2.2)", "[storage]") {
  CHECK(*AdvertisedAddress(":9090", "source-controller.flux-system.svc.cluster.local.") ==
        "source-controller.flux-system.svc.cluster.local.");
  CHECK(*AdvertisedAddress(":9090", "") == "localhost:9090");
  CHECK(*AdvertisedAddress("127.0.0.1:9090", "") == "127.0.0.1:9090");
  ::setenv("HOSTNAME", "pod-abc", 1);
  CHECK(*AdvertisedAddress("0.0.0.0:9090", "") == "pod-abc:9090");
  ::unsetenv("HOSTNAME");
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  CHECK(*AdvertisedAddress("0.0.0.0:9090", "") == std::string(host) + ":9090");
  CHECK(AdvertisedAddress("nonsense", "").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Storage paths and URLs", "[storage]") {
  TempDir dir;
  auto s = MakeStorage(dir);
  CHECK(Storage::ArtifactPath("GitRepository", "flux-system", "podinfo", "abc.tar.gz") ==
        "gitrepository/flux-system/podinfo/abc.tar.gz");
  Artifact a =
      s->NewArtifactFor("GitRepository", "flux-system", "podinfo", "main@sha1:abc", "abc.tar.gz");
  CHECK(a.url ==
        "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/"
        "abc.tar.gz");
  CHECK(a.revision == "main@sha1:abc");
  CHECK(s->LocalPath(a) == dir.Join("data/gitrepository/flux-system/podinfo/abc.tar.gz"));

  auto https = MakeStorage(dir, "https://artifacts.example.com");
  CHECK(https->UrlFor("bucket/ns/n/x.tar.gz") ==
        "https://artifacts.example.com/bucket/ns/n/x.tar.gz");
}

TEST_CASE("Storage::Archive writes atomically with digest and size", "[storage]") {
  TempDir dir;
  auto s = MakeStorage(dir);
  WriteFile(dir.Join("src/app.yaml"), "kind: ConfigMap\n");
  Artifact a =
      s->NewArtifactFor("GitRepository", "default", "repo", "main@sha1:1111", "1111.tar.gz");
  auto stored = s->Archive(a, dir.Join("src"));
  REQUIRE(stored.ok());
  const std::string local = s->LocalPath(*stored);
  CHECK(stored->digest == *FileDigest(local));
  CHECK(stored->size == static_cast<int64_t>(std::filesystem::file_size(local)));
  CHECK(stored->last_update_time.size() == 20);  // 2024-05-01T10:00:00Z
  struct stat st;
  REQUIRE(::stat(local.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(s->Exists(*stored));
  CHECK(s->Verify(*stored).ok());
  // No temporary files are left behind.
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(std::filesystem::path(local).parent_path())) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);

  // Same tree → same digest (the revision file name differs).
  Artifact b =
      s->NewArtifactFor("GitRepository", "default", "repo", "main@sha1:2222", "2222.tar.gz");
  auto again = s->Archive(b, dir.Join("src"));
  REQUIRE(again.ok());
  CHECK(again->digest == stored->digest);

  // A failing archive leaves no file behind.
  Artifact c = s->NewArtifactFor("GitRepository", "default", "repo", "x", "3333.tar.gz");
  CHECK_FALSE(s->Archive(c, dir.Join("missing")).ok());
  CHECK_FALSE(s->Exists(c));
  entries = 0;
  for (auto& e : std::filesystem::directory_iterator(std::filesystem::path(local).parent_path())) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 2);
}

TEST_CASE("Storage::Verify detects tampering and missing files", "[storage]") {
  TempDir dir;
  auto s = MakeStorage(dir);
  Artifact a = s->NewArtifactFor("Bucket", "ns", "b", "rev", "index.yaml");
  auto stored = s->WriteBytes(a, "hello");
  REQUIRE(stored.ok());
  CHECK(stored->digest == Sha256Digest("hello"));
  WriteFile(s->LocalPath(*stored), "hellO", 0600);
  CHECK(s->Verify(*stored).code() == absl::StatusCode::kDataLoss);
  std::filesystem::remove(s->LocalPath(*stored));
  CHECK(s->Verify(*stored).code() == absl::StatusCode::kNotFound);
  Artifact bad = a;
  bad.path = "../escape";
  CHECK_FALSE(s->WriteBytes(bad, "x").ok());
  CHECK_FALSE(PathExists(dir.Join("escape")));
}

TEST_CASE("Storage::GarbageCollect keeps current and the newest records", "[storage]") {
  TempDir dir;
  auto s = MakeStorage(dir);
  auto write = [&](const std::string& file, int age) {
    Artifact a = s->NewArtifactFor("GitRepository", "ns", "app", "r", file);
    auto stored = s->WriteBytes(a, file);
    REQUIRE(stored.ok());
    Age(s->LocalPath(*stored), age);
    return *stored;
  };
  write("old1.tar.gz", 600);
  write("old2.tar.gz", 500);
  write("recent1.tar.gz", 30);
  write("recent2.tar.gz", 20);
  Artifact current = write("current.tar.gz", 900);  // current is never deleted, whatever its age
  WriteFile(s->LocalPath(current) + ".lock", "", 0600);
  WriteFile(s->LocalPath(write("recent3.tar.gz", 10)) + ".lock", "", 0600);
  std::filesystem::create_symlink(
      "current.tar.gz",
      std::filesystem::path(s->LocalPath(current)).parent_path() / "latest.tar.gz");

  // TTL 1m removes the old ones; max 2 records then drops the oldest recent ones.
  auto deleted = s->GarbageCollect(current, 1min, 2);
  REQUIRE(deleted.ok());
  std::sort(deleted->begin(), deleted->end());
  CHECK(*deleted == std::vector<std::string>{"gitrepository/ns/app/old1.tar.gz",
                                             "gitrepository/ns/app/old2.tar.gz",
                                             "gitrepository/ns/app/recent1.tar.gz",
                                             "gitrepository/ns/app/recent2.tar.gz"});
  const std::string base = dir.Join("data/gitrepository/ns/app/");
  CHECK(PathExists(base + "current.tar.gz"));
  CHECK(PathExists(base + "current.tar.gz.lock"));
  CHECK(PathExists(base + "recent3.tar.gz"));
  CHECK(PathExists(base + "recent3.tar.gz.lock"));
  CHECK(PathExists(base + "latest.tar.gz"));

  // Nothing left to collect.
  auto none = s->GarbageCollect(current, 1min, 2);
  REQUIRE(none.ok());
  CHECK(none->empty());

  // A TTL that spares everything still enforces the record count, dropping lock files too.
  auto tight = s->GarbageCollect(current, 24h, 1);
  REQUIRE(tight.ok());
  CHECK(*tight == std::vector<std::string>{"gitrepository/ns/app/recent3.tar.gz"});
  CHECK_FALSE(PathExists(base + "recent3.tar.gz.lock"));
}

TEST_CASE("Storage::RemoveAll deletes the object's directory", "[storage]") {
  TempDir dir;
  auto s = MakeStorage(dir);
  REQUIRE(
      s->WriteBytes(s->NewArtifactFor("HelmChart", "ns", "c", "1.0.0", "c-1.0.0.tgz"), "x").ok());
  REQUIRE(s->WriteBytes(s->NewArtifactFor("HelmChart", "ns", "other", "1.0.0", "o.tgz"), "x").ok());
  auto removed = s->RemoveAll("HelmChart", "ns", "c");
  REQUIRE(removed.ok());
  CHECK(*removed == "helmchart/ns/c");
  CHECK_FALSE(PathExists(dir.Join("data/helmchart/ns/c")));
  CHECK(PathExists(dir.Join("data/helmchart/ns/other/o.tgz")));
  auto again = s->RemoveAll("HelmChart", "ns", "c");
  REQUIRE(again.ok());
  CHECK(again->empty());
  CHECK_FALSE(s->RemoveAll("HelmChart", "..", "..").ok());
}

}  // namespace
}  // namespace fluxcpp::artifact
