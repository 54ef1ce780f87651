#include "libs/git/clone.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "libs/core/testing/temp_dir.h"
#include "libs/git/testing/git_servers.h"

namespace fluxcpp::git {
namespace {

namespace fs = std::filesystem;
using fluxcpp::testing::ReadFile;
using fluxcpp::testing::TempDir;
using fluxcpp::testing::WriteFile;
using testing::GitDaemon;
using testing::GitHttpServer;
using testing::RunGit;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// One fixture repository shared by the tests in this file:
//   main:      c1 (tag v1.0.0, annotated) - c2 (tags v1.1.0, v2.0.0-rc.1) - c4
//   feature/x: c2 - c3 (also refs/pull/1/head)
//   tags v3.0.0+old (c1, older) and v3.0.0+new (c3, newer): equal versions
struct Fixture {
  TempDir root{"fluxcpp-git"};
  std::string src, c1, c2, c3, c4;

  Fixture() {
    src = root.Join("repos/app");
    fs::create_directories(src);
    RunGit(src, {"init", "-q", "-b", "main"});
    Commit("a.txt", "one\n", "first commit");
    c1 = Head();
    RunGit(src, {"tag", "-a", "v1.0.0", "-m", "release 1.0.0"});
    Commit("a.txt", "two\n", "second commit");
    c2 = Head();
    RunGit(src, {"tag", "v1.1.0"});
    RunGit(src, {"tag", "v2.0.0-rc.1"});
    RunGit(src, {"tag", "not-a-version"});
    RunGit(src, {"checkout", "-q", "-b", "feature/x"});
    Commit("b.txt", "feature\n", "feature work", "1700000500");
    c3 = Head();
    RunGit(src, {"update-ref", "refs/pull/1/head", c3});
    RunGit(src, {"checkout", "-q", "main"});
    Commit("deploy/app.yaml", "kind: ConfigMap\n", "Add deploy manifests\n\nWith a body.");
    c4 = Head();
    RunGit(src, {"tag", "-a", "v3.0.0+old", c1, "-m", "old"},
           {"GIT_COMMITTER_DATE=1600000000 +0000"});
    RunGit(src, {"tag", "-a", "v3.0.0+new", c3, "-m", "new"},
           {"GIT_COMMITTER_DATE=1800000000 +0000"});
    fs::create_directories(root.Join("repos/empty.git"));
    RunGit(root.Join("repos/empty.git"), {"init", "-q", "--bare"});
  }

  void Commit(const std::string& file, const std::string& content, const std::string& message,
              const std::string& date = "1700000000") {
    WriteFile(src + "/" + file, content);
    RunGit(src, {"add", "-A"});
    RunGit(src, {"commit", "-q", "-m", message},
           {"GIT_AUTHOR_DATE=" + date + " +0000", "GIT_COMMITTER_DATE=" + date + " +0000"});
  }
  std::string Head() { return Trim(RunGit(src, {"rev-parse", "HEAD"})); }
};

// Function-local statics: the daemon (constructed after the fixture) is
// stopped before the fixture's directory is removed at exit.
Fixture& Repo() {
  static Fixture fixture;
  return fixture;
}

GitDaemon& Daemon() {
  static GitDaemon daemon(Repo().root.Join("repos"));
  return daemon;
}

struct Result {
  TempDir dir{"fluxcpp-clone"};
  absl::StatusOr<CloneResult> result;
  std::string out() const { return dir.Join("out"); }
};

std::unique_ptr<Result> DoClone(const std::string& url, Reference ref, const std::string& last = "",
                                AuthOptions auth = {}) {
  auto r = std::make_unique<Result>();
  CloneOptions opts;
  opts.url = url;
  opts.reference = std::move(ref);
  opts.last_observed_commit = last;
  opts.auth = std::move(auth);
  opts.timeout = std::chrono::seconds(30);
  r->result = Clone(opts, r->out());
  return r;
}

TEST_CASE("Clone a branch over git://", "[git]") {
  auto r = DoClone(Daemon().Url("app"), {.branch = "main"});
  REQUIRE(r->result.ok());
  CHECK(r->result->commit == Repo().c4);
  CHECK(r->result->ref_name == "main");
  CHECK(r->result->revision == "main@sha1:" + Repo().c4);
  CHECK(r->result->message == "Add deploy manifests\n\nWith a body.\n");
  CHECK(r->result->author == "Flux Test <test@example.com>");
  CHECK(r->result->commit_time == 1700000000);
  CHECK_FALSE(r->result->unchanged);
  CHECK(ReadFile(r->out() + "/a.txt") == "two\n");
  CHECK(ReadFile(r->out() + "/deploy/app.yaml") == "kind: ConfigMap\n");
  CHECK_FALSE(fs::exists(r->out() + "/b.txt"));
  // Only the branch was fetched: no tags, HEAD on the local branch.
  CHECK(Trim(RunGit(r->out(), {"tag", "-l"})).empty());
  CHECK(Trim(RunGit(r->out(), {"symbolic-ref", "HEAD"})) == "refs/heads/main");
  CHECK(Trim(RunGit(r->out(), {"status", "--porcelain"})).empty());
}

TEST_CASE("Clone a branch with a slash and a full ref name", "[git]") {
  auto feature = DoClone(Daemon().Url("app"), {.branch = "feature/x"});
  REQUIRE(feature.get()->result.ok());
  CHECK(feature->result->revision == "feature/x@sha1:" + Repo().c3);
  CHECK(ReadFile(feature->out() + "/b.txt") == "feature\n");

  auto pr = DoClone(Daemon().Url("app"), {.name = "refs/pull/1/head"});
  REQUIRE(pr->result.ok());
  CHECK(pr->result->revision == "refs/pull/1/head@sha1:" + Repo().c3);
  CHECK(pr->result->ref_name == "refs/pull/1/head");

  auto bad = DoClone(Daemon().Url("app"), {.name = "pull/1/head"});
  CHECK(bad->result.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Clone tags: annotated and lightweight", "[git]") {
  auto annotated = DoClone(Daemon().Url("app"), {.tag = "v1.0.0"});
  REQUIRE(annotated->result.ok());
  CHECK(annotated->result->revision == "v1.0.0@sha1:" + Repo().c1);
  CHECK(ReadFile(annotated->out() + "/a.txt") == "one\n");
  // The tag object is kept for signature verification.
  CHECK(Trim(RunGit(annotated->out(), {"cat-file", "-t", "refs/tags/v1.0.0"})) == "tag");

  auto light = DoClone(Daemon().Url("app"), {.tag = "v1.1.0"});
  REQUIRE(light->result.ok());
  CHECK(light->result->revision == "v1.1.0@sha1:" + Repo().c2);

  // Tag wins over branch and semver (code precedence).
  auto both =
      DoClone(Daemon().Url("app"), {.branch = "main", .tag = "v1.0.0", .semver = ">=1.0.0"});
  REQUIRE(both->result.ok());
  CHECK(both->result->revision == "v1.0.0@sha1:" + Repo().c1);
}

TEST_CASE("Clone by semver range", "[git]") {
  auto latest = DoClone(Daemon().Url("app"), {.semver = ">=1.0.0 <3.0.0"});
  REQUIRE(latest->result.ok());
  CHECK(latest->result->revision == "v1.1.0@sha1:" + Repo().c2);  // v2.0.0-rc.1 is a prerelease

  auto tilde = DoClone(Daemon().Url("app"), {.semver = "~1.0"});
  REQUIRE(tilde->result.ok());
  CHECK(tilde->result->revision == "v1.0.0@sha1:" + Repo().c1);

  auto pre = DoClone(Daemon().Url("app"), {.semver = ">=2.0.0-0 <3.0.0"});
  REQUIRE(pre->result.ok());
  CHECK(pre->result->revision == "v2.0.0-rc.1@sha1:" + Repo().c2);

  // Equal versions (build metadata differs): the newer tag wins.
  auto tie = DoClone(Daemon().Url("app"), {.semver = "3.x"});
  REQUIRE(tie->result.ok());
  CHECK(tie->result->revision == "v3.0.0+new@sha1:" + Repo().c3);

  auto none = DoClone(Daemon().Url("app"), {.semver = "<1.0.0"});
  CHECK(none->result.status().code() == absl::StatusCode::kNotFound);
  CHECK(none->result.status().message() == "no match found for semver: <1.0.0");

  auto invalid = DoClone(Daemon().Url("app"), {.semver = "not a range"});
  CHECK(invalid->result.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Clone by commit", "[git]") {
  auto only = DoClone(Daemon().Url("app"), {.commit = Repo().c1});
  REQUIRE(only->result.ok());
  CHECK(only->result->revision == "sha1:" + Repo().c1);
  CHECK(only->result->ref_name.empty());
  CHECK(ReadFile(only->out() + "/a.txt") == "one\n");

  auto with_branch = DoClone(Daemon().Url("app"), {.branch = "main", .commit = Repo().c2});
  REQUIRE(with_branch->result.ok());
  CHECK(with_branch->result->revision == "main@sha1:" + Repo().c2);

  auto abbreviated = DoClone(Daemon().Url("app"), {.commit = Repo().c3.substr(0, 10)});
  REQUIRE(abbreviated->result.ok());
  CHECK(abbreviated->result->commit == Repo().c3);

  // c3 is only on feature/x: not reachable from main.
  auto wrong_branch = DoClone(Daemon().Url("app"), {.branch = "main", .commit = Repo().c3});
  CHECK(wrong_branch->result.status().code() == absl::StatusCode::kNotFound);

  auto unknown = DoClone(Daemon().Url("app"), {.commit = std::string(40, 'a')});
  CHECK(unknown->result.status().code() == absl::StatusCode::kNotFound);
  CHECK(
      std::string(unknown->result.status().message()).find("unable to resolve commit object for") !=
      std::string::npos);
}

TEST_CASE("Missing refs, empty repositories, bad destinations", "[git]") {
  auto missing = DoClone(Daemon().Url("app"), {.branch = "nope"});
  CHECK(missing->result.status().code() == absl::StatusCode::kNotFound);
  CHECK(missing->result.status().message() ==
        "unable to clone '" + Daemon().Url("app") + "': reference 'refs/heads/nope' not found");

  auto default_branch = DoClone(Daemon().Url("app"), {});
  CHECK(default_branch->result.status().message() ==
        "unable to clone '" + Daemon().Url("app") + "': reference 'refs/heads/master' not found");

  auto missing_tag = DoClone(Daemon().Url("app"), {.tag = "v9.9.9"});
  CHECK(missing_tag->result.status().code() == absl::StatusCode::kNotFound);

  auto empty = DoClone(Daemon().Url("empty.git"), {.branch = "main"});
  CHECK(empty->result.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(empty->result.status().message() == "git repository is empty");

  TempDir dest;
  WriteFile(dest.Join("occupied"), "x");
  CloneOptions opts;
  opts.url = Daemon().Url("app");
  opts.reference.branch = "main";
  CHECK(Clone(opts, dest.path()).status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("Unreachable remotes are unavailable", "[git]") {
  auto gone = DoClone("git://127.0.0.1:1/app", {.branch = "main"});
  CHECK(gone->result.status().code() == absl::StatusCode::kUnavailable);
  auto not_exported = DoClone(Daemon().Url("does-not-exist"), {.branch = "main"});
  CHECK(not_exported->result.status().code() == absl::StatusCode::kUnavailable);
  CHECK(std::string(not_exported->result.status().message()).find("repository not exported") !=
        std::string::npos);
}

TEST_CASE("Unchanged short-circuit", "[git]") {
  const std::string url = Daemon().Url("app");
  auto same = DoClone(url, {.branch = "main"}, "main@sha1:" + Repo().c4);
  REQUIRE(same->result.ok());
  CHECK(same->result->unchanged);
  CHECK(same->result->revision == "main@sha1:" + Repo().c4);
  CHECK(same->result->commit == Repo().c4);
  CHECK(fs::is_empty(same->out()));  // nothing fetched or checked out

  auto legacy = DoClone(url, {.branch = "main"}, "main/" + Repo().c4);
  REQUIRE(legacy->result.ok());
  CHECK(legacy->result->unchanged);

  auto annotated = DoClone(url, {.tag = "v1.0.0"}, "v1.0.0@sha1:" + Repo().c1);
  REQUIRE(annotated->result.ok());
  CHECK(annotated->result->unchanged);

  auto stale = DoClone(url, {.branch = "main"}, "main@sha1:" + Repo().c1);
  REQUIRE(stale->result.ok());
  CHECK_FALSE(stale->result->unchanged);
  CHECK(fs::exists(stale->out() + "/deploy/app.yaml"));

  // Same commit under another branch name is a change.
  auto renamed = DoClone(url, {.branch = "main"}, "other@sha1:" + Repo().c4);
  REQUIRE(renamed->result.ok());
  CHECK_FALSE(renamed->result->unchanged);

  // Not applicable to semver and commit refs.
  auto semver = DoClone(url, {.semver = "~1.1"}, "v1.1.0@sha1:" + Repo().c2);
  REQUIRE(semver->result.ok());
  CHECK_FALSE(semver->result->unchanged);
}

TEST_CASE("Clone from a local path", "[git]") {
  auto local = DoClone(Repo().src, {.branch = "feature/x"});
  REQUIRE(local->result.ok());
  CHECK(local->result->revision == "feature/x@sha1:" + Repo().c3);
  auto file_url = DoClone("file://" + Repo().src, {.tag = "v1.1.0"});
  REQUIRE(file_url->result.ok());
  CHECK(file_url->result->revision == "v1.1.0@sha1:" + Repo().c2);
  auto missing = DoClone(Repo().root.Join("nope"), {.branch = "main"});
  CHECK(missing->result.status().code() == absl::StatusCode::kNotFound);
  auto relative = DoClone("repos/app", {.branch = "main"});
  CHECK(relative->result.status().code() == absl::StatusCode::kInvalidArgument);
  auto ftp = DoClone("ftp://example.com/app", {.branch = "main"});
  CHECK(ftp->result.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("ListRemoteRefs and ResolveRemoteRef", "[git]") {
  const std::string url = Daemon().Url("app");
  auto refs = ListRemoteRefs(url, {});
  REQUIRE(refs.ok());
  bool saw_peeled = false;
  for (const auto& r : *refs) {
    if (r.name == "refs/tags/v1.0.0") {
      saw_peeled = true;
      CHECK(r.peeled == Repo().c1);
      CHECK(r.oid != Repo().c1);
    }
  }
  CHECK(saw_peeled);
  CHECK(*ResolveRemoteRef(url, "main", {}) == Repo().c4);
  CHECK(*ResolveRemoteRef(url, "refs/heads/feature/x", {}) == Repo().c3);
  CHECK(*ResolveRemoteRef(url, "v1.0.0", {}) == Repo().c1);
  CHECK(*ResolveRemoteRef(url, "refs/pull/1/head", {}) == Repo().c3);
  CHECK(ResolveRemoteRef(url, "nope", {}).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("Clone over smart HTTP with basic auth and bearer tokens", "[git]") {
  const std::string root = Repo().root.Join("repos");
  SECTION("anonymous") {
    GitHttpServer server(root, {});
    auto r = DoClone(server.Url("app"), {.branch = "main"});
    REQUIRE(r->result.ok());
    CHECK(r->result->revision == "main@sha1:" + Repo().c4);
  }
  SECTION("basic auth") {
    GitHttpServer server(root, {.username = "flux", .password = "s3cret"});
    auto ok = DoClone(server.Url("app"), {.tag = "v1.0.0"}, "",
                      {.username = "flux", .password = "s3cret"});
    REQUIRE(ok->result.ok());
    CHECK(ok->result->revision == "v1.0.0@sha1:" + Repo().c1);

    auto wrong = DoClone(server.Url("app"), {.branch = "main"}, "",
                         {.username = "flux", .password = "nope"});
    CHECK(wrong->result.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(std::string(wrong->result.status().message()).find("nope") == std::string::npos);

    auto none = DoClone(server.Url("app"), {.branch = "main"});
    CHECK(none->result.status().code() == absl::StatusCode::kUnauthenticated);

    // Credentials embedded in the URL never show in messages.
    std::string url = server.Url("missing-repo");
    url.insert(7, "user:hunter2@");
    auto leaky = DoClone(url, {.branch = "main"});
    CHECK_FALSE(leaky->result.ok());
    CHECK(std::string(leaky->result.status().message()).find("hunter2") == std::string::npos);
  }
  SECTION("bearer token") {
    GitHttpServer server(root, {.bearer_token = "tok-123"});
    auto ok = DoClone(server.Url("app"), {.branch = "main"}, "", {.bearer_token = "tok-123"});
    REQUIRE(ok->result.ok());
    auto wrong = DoClone(server.Url("app"), {.branch = "main"}, "", {.bearer_token = "tok-999"});
    CHECK(wrong->result.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(std::string(wrong->result.status().message()).find("tok-999") == std::string::npos);
  }
}

TEST_CASE("Clone over HTTPS trusting a CA from the secret", "[git]") {
  TempDir certs;
  auto gen = fluxcpp::testing::RunCommand(
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", certs.Join("key.pem"),
       "-out", certs.Join("cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
       "subjectAltName=IP:127.0.0.1"});
  REQUIRE(gen.exit_code == 0);
  GitHttpServer server(Repo().root.Join("repos"), {.tls_cert_path = certs.Join("cert.pem"),
                                                   .tls_key_path = certs.Join("key.pem")});
  auto untrusted = DoClone(server.Url("app"), {.branch = "main"});
  CHECK(untrusted->result.status().code() == absl::StatusCode::kUnauthenticated);

  auto trusted = DoClone(server.Url("app"), {.branch = "main"}, "",
                         {.ca_pem = ReadFile(certs.Join("cert.pem"))});
  REQUIRE(trusted->result.ok());
  CHECK(trusted->result->revision == "main@sha1:" + Repo().c4);

  // A CA that did not sign the server certificate is rejected.
  TempDir other;
  REQUIRE(
      fluxcpp::testing::RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                     "-keyout", other.Join("key.pem"), "-out",
                                     other.Join("cert.pem"), "-days", "2", "-subj", "/CN=other"})
          .exit_code == 0);
  auto wrong_ca = DoClone(server.Url("app"), {.branch = "main"}, "",
                          {.ca_pem = ReadFile(other.Join("cert.pem"))});
  CHECK(wrong_ca->result.status().code() == absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace fluxcpp::git

namespace fluxcpp::git {
namespace {

TEST_CASE("Clone through the persistent fetch cache, with a sparse checkout", "[git]") {
  TempDir cache("fluxcpp-cache");
  for (int round = 0; round < 2; ++round) {  // second round reuses the cache
    TempDir out("fluxcpp-clone");
    CloneOptions opts;
    opts.url = Daemon().Url("app");
    opts.reference.branch = "main";
    opts.cache_dir = cache.Join("app.git");
    opts.sparse_checkout = {"./deploy"};
    auto r = Clone(opts, out.Join("co"));
    REQUIRE(r.ok());
    CHECK(r->revision == "main@sha1:" + Repo().c4);
    CHECK(fs::exists(out.Join("co/deploy/app.yaml")));
    CHECK_FALSE(fs::exists(out.Join("co/a.txt")));
    CHECK_FALSE(fs::exists(out.Join("co/.git")));  // objects stay in the cache
    CHECK(fs::exists(cache.Join("app.git/objects")));
  }
}

TEST_CASE("Clone exposes tag signature material and refuses an invalid client certificate", "[git]") {
  auto r = DoClone(Daemon().Url("app"), {.tag = "v1.0.0"});
  REQUIRE(r->result.ok());
  CHECK(r->result->annotated_tag);
  CHECK(r->result->tag_name == "v1.0.0");
  CHECK_FALSE(r->result->tag_signature.signed_object());  // annotated, unsigned
  CHECK_FALSE(r->result->commit_signature.signed_object());

  AuthOptions mtls;
  mtls.tls_cert_pem = "cert";
  mtls.tls_key_pem = "key";
  auto refused = DoClone(Daemon().Url("app"), {.branch = "main"}, "", mtls);
  CHECK(refused->result.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(std::string(refused->result.status().message()) ==
        "unable to clone '" + Daemon().Url("app") + "': invalid client certificate: 'tls.crt' is not a PEM certificate");
  mtls.tls_key_pem.clear();
  auto half = DoClone(Daemon().Url("app"), {.branch = "main"}, "", mtls);
  CHECK(half->result.status().code() == absl::StatusCode::kUnauthenticated);
}

TEST_CASE("Clone stops at the fetch size limit", "[git]") {
  TempDir out("fluxcpp-clone");
  CloneOptions opts;
  opts.url = Daemon().Url("app");
  opts.reference.branch = "main";
  opts.max_fetch_bytes = 10;
  auto r = Clone(opts, out.Join("co"));
  CHECK(r.status().code() == absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace fluxcpp::git
