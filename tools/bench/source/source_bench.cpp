// Benchmark of the GitRepository hot paths, as source-controller runs them
// (libs/git Clone with the persistent fetch cache and work tree, libs/artifact
// Archive with the entry cache keyed by Git blob ids):
//   first   first artifact of a branch (empty cache)
//   noop    the remote still points at the stored revision (ls-remote only)
//   commit  one new commit: incremental fetch into the cache + new artifact
// Prints one JSON object with wall and CPU milliseconds per phase and the
// process's peak RSS. Usage:
//   source_bench --url URL --work DIR [--branch main] [--new-commit-cmd CMD] [--verify yes]
// CMD runs (via /bin/sh) between "noop" and "commit" and must push one commit.
// --verify yes also archives each new revision from scratch (inside the timed
// phase: for correctness runs only) and fails unless the digests match.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "libs/artifact/ignore_matcher.h"
#include "libs/artifact/storage.h"
#include "libs/git/clone.h"

using namespace fluxcpp;

namespace {

double CpuMs() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

struct Phase {
  double wall_ms = 0;
  double cpu_ms = 0;
};

template <typename F>
Phase Measure(F&& f) {
  const double cpu0 = CpuMs();
  const auto t0 = std::chrono::steady_clock::now();
  f();
  Phase p;
  p.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  p.cpu_ms = CpuMs() - cpu0;
  return p;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "source_bench: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, work, branch = "main", new_commit_cmd, verify_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--url") url = argv[i + 1];
    else if (k == "--work") work = argv[i + 1];
    else if (k == "--branch") branch = argv[i + 1];
    else if (k == "--new-commit-cmd") new_commit_cmd = argv[i + 1];
    else if (k == "--verify") verify_dir = argv[i + 1];
    else Die("unknown flag " + k);
  }
  if (url.empty() || work.empty()) Die("--url and --work are required");
  namespace fs = std::filesystem;
  fs::create_directories(work + "/storage");
  auto storage = artifact::Storage::Create({work + "/storage", "127.0.0.1:9090", "sha256"});
  if (!storage.ok()) Die(std::string(storage.status().message()));

  std::string revision;
  int64_t artifact_bytes = 0;
  int run = 0;
  // One reconcile: clone (or short-circuit) then archive when changed.
  // Laid out as source-controller does: <cache>/<name>.git (fetch cache),
  // <name>.worktree (persistent work tree), <name>.entries (archive cache).
  const std::string cache = work + "/cache/bench";
  auto reconcile = [&](bool expect_unchanged) {
    ++run;
    git::CloneOptions opts;
    opts.url = url;
    opts.reference.branch = branch;
    opts.cache_dir = cache + ".git";
    opts.persistent_worktree = true;
    opts.last_observed_commit = revision;
    const std::string dir = cache + ".worktree";
    const auto c0 = std::chrono::steady_clock::now();
    auto r = git::Clone(opts, dir);
    const double clone_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c0).count();
    if (!r.ok()) Die(std::string(r.status().message()));
    if (r->unchanged != expect_unchanged) Die("unexpected unchanged=" + std::to_string(r->unchanged));
    double archive_ms = 0;
    if (!r->unchanged) {
      const auto a0 = std::chrono::steady_clock::now();
      auto matcher = artifact::IgnoreMatcher::ForGitRepository(dir, std::nullopt);
      if (!matcher.ok()) Die(std::string(matcher.status().message()));
      auto a = (*storage)->NewArtifactFor("GitRepository", "bench", "bench", r->revision, r->commit + ".tar.gz");
      const auto& ids = r->blob_ids;
      artifact::ArchiveCacheOptions archive_cache{cache + ".entries", [&ids](std::string_view path) {
                                                    auto it = ids.find(std::string(path));
                                                    return it == ids.end() ? std::string() : it->second;
                                                  }};
      auto stored = (*storage)->Archive(a, dir, artifact::FilterFrom(*matcher), &archive_cache);
      if (!stored.ok()) Die(std::string(stored.status().message()));
      archive_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a0).count();
      revision = r->revision;
      artifact_bytes = stored->size;
      if (!verify_dir.empty()) {
        // The same tree archived from scratch must give the same bytes.
        auto fresh = (*storage)->NewArtifactFor("GitRepository", "bench", "fresh", r->revision, r->commit + ".tar.gz");
        auto scratch = (*storage)->Archive(fresh, dir, artifact::FilterFrom(*matcher));
        if (!scratch.ok()) Die(std::string(scratch.status().message()));
        if (scratch->digest != stored->digest) Die("incremental artifact differs from a from-scratch build");
      }
    }
    if (std::getenv("SOURCE_BENCH_VERBOSE") != nullptr)
      std::fprintf(stderr, "run %d: clone %.1f ms, archive %.1f ms\n", run, clone_ms, archive_ms);
  };

  Phase first = Measure([&] { reconcile(false); });
  Phase noop = Measure([&] { reconcile(true); });
  Phase noop2 = Measure([&] { reconcile(true); });
  if (noop2.cpu_ms < noop.cpu_ms) noop = noop2;
  Phase commit;
  if (!new_commit_cmd.empty()) {
    if (std::system(new_commit_cmd.c_str()) != 0) Die("--new-commit-cmd failed");
    commit = Measure([&] { reconcile(false); });
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "{\"first_ms\": %.1f, \"first_cpu_ms\": %.1f, \"noop_ms\": %.2f, \"noop_cpu_ms\": %.2f, "
      "\"commit_ms\": %.1f, \"commit_cpu_ms\": %.1f, \"peak_rss_kib\": %ld, \"artifact_bytes\": %lld}\n",
      first.wall_ms, first.cpu_ms, noop.wall_ms, noop.cpu_ms, commit.wall_ms, commit.cpu_ms, ru.ru_maxrss,
      static_cast<long long>(artifact_bytes));
  return 0;
}
