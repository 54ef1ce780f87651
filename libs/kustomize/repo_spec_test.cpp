#include "libs/kustomize/repo_spec.h"

#include <catch2/catch.hpp>

namespace kz = fluxcpp::kustomize;

namespace {

struct Want {
  const char* url;
  const char* host;
  const char* repo;
  const char* path;
  const char* ref;
};

}  // namespace

TEST_CASE("repo spec forms split into host, repository, path and ref") {
  const Want cases[] = {
      {"https://github.com/org/repo//sub/dir?ref=v1.2", "https://github.com/", "org/repo", "sub/dir", "v1.2"},
      {"github.com/org/repo/sub?ref=main", "https://github.com/", "org/repo", "sub", "main"},
      {"github.com/org/repo", "https://github.com/", "org/repo", "", ""},
      {"GitHub.com/org/repo//a", "https://github.com/", "org/repo", "a", ""},
      {"git::https://gitlab.com/org/repo.git//path?version=v2", "https://gitlab.com/", "org/repo.git", "path", "v2"},
      {"ssh://git@host.example/org/repo.git//path", "ssh://git@host.example/", "org/repo.git", "path", ""},
      {"ssh://git@github.com/org/repo//p", "git@github.com:", "org/repo", "p", ""},
      {"git@host.example:org/repo//path", "git@host.example:", "org/repo", "path", ""},
      {"git@github.com:org/repo.git/deep/dir?ref=x", "git@github.com:", "org/repo.git", "deep/dir", "x"},
      {"https://host.example/org/repo/a/b", "https://host.example/", "org/repo", "a/b", ""},
      {"https://host.example:8443/org/repo.git", "https://host.example:8443/", "org/repo.git", "", ""},
      {"http://10.0.0.1/group/sub/repo.git//x", "http://10.0.0.1/", "group/sub/repo.git", "x", ""},
      {"https://dev.azure.com/org/proj/_git/repo/path/to", "https://dev.azure.com/", "org/proj/_git/repo", "path/to", ""},
      {"file:///abs/path/repo.git//base?ref=v1", "file://", "/abs/path/repo.git", "base", "v1"},
      {"file:///abs/path/repo", "file://", "/abs/path/repo", "", ""},
      {"file:///abs/repo//a/../b", "file://", "/abs/repo", "a/../b", ""},
      {"https://github.com/org/repo//sub?version=v1&ref=v2", "https://github.com/", "org/repo", "sub", "v2"},
  };
  for (const Want& w : cases) {
    INFO(w.url);
    auto spec = kz::ParseRepoSpec(w.url);
    REQUIRE(spec.ok());
    CHECK(spec->host == w.host);
    CHECK(spec->repo_path == w.repo);
    CHECK(spec->kust_root_path == w.path);
    CHECK(spec->ref == w.ref);
    CHECK(spec->raw == w.url);
    CHECK(spec->CloneSpec() == std::string(w.host) + w.repo);
  }
}

TEST_CASE("repo spec query: timeout and submodules") {
  auto d = kz::ParseRepoSpec("https://host.example/org/repo?ref=v1");
  REQUIRE(d.ok());
  CHECK(d->timeout == std::chrono::seconds(27));
  CHECK(d->submodules);
  auto s = kz::ParseRepoSpec("https://host.example/org/repo?timeout=61&submodules=false");
  REQUIRE(s.ok());
  CHECK(s->timeout == std::chrono::seconds(61));
  CHECK_FALSE(s->submodules);
  auto m = kz::ParseRepoSpec("https://host.example/org/repo?timeout=1m30s&submodules=F");
  REQUIRE(m.ok());
  CHECK(m->timeout == std::chrono::seconds(90));
  CHECK_FALSE(m->submodules);
  auto bad = kz::ParseRepoSpec("https://host.example/org/repo?timeout=soon&submodules=maybe");
  REQUIRE(bad.ok());
  CHECK(bad->timeout == std::chrono::seconds(27));
  CHECK(bad->submodules);
  // Go's query parser fails on a bad escape: every parameter falls back to its default.
  auto esc = kz::ParseRepoSpec("https://host.example/org/repo?ref=v1&timeout=5&x=%zz");
  REQUIRE(esc.ok());
  CHECK(esc->ref.empty());
  CHECK(esc->timeout == std::chrono::seconds(27));
  auto enc = kz::ParseRepoSpec("https://host.example/org/repo?ref=feature%2Fx");
  REQUIRE(enc.ok());
  CHECK(enc->ref == "feature/x");
}

TEST_CASE("repo spec errors use kustomize's wording") {
  auto msg = [](const std::string& url) {
    auto s = kz::ParseRepoSpec(url);
    REQUIRE_FALSE(s.ok());
    return std::string(s.status().message());
  };
  CHECK(msg("/abs/path") == "uri looks like abs path: /abs/path");
  CHECK(msg("base") == "failed to parse scheme");
  CHECK(msg("../base/x") == "failed to parse scheme");
  CHECK(msg("host.example/org/repo") == "failed to parse scheme");
  CHECK(msg("https://host.example/org") == "failed to parse repo path segment");
  CHECK(msg("https://") == "failed to parse host segment");
  CHECK(msg("https://github.com/org/repo//../..") == "url path exits repo: org/repo//../..");
  CHECK(msg("file:///abs/repo.git//../x") == "url path exits repo: /abs/repo.git//../x");
  CHECK(msg("https://host.example/org/repo//a/../../b") == "url path exits repo: org/repo//a/../../b");
}

TEST_CASE("http urls") {
  CHECK(kz::IsHttpUrl("https://example.com/x.yaml"));
  CHECK(kz::IsHttpUrl("HTTP://example.com/x.yaml"));
  CHECK_FALSE(kz::IsHttpUrl("file:///x.yaml"));
  CHECK_FALSE(kz::IsHttpUrl("git@host:org/repo"));
}
