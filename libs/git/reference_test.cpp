#include "libs/git/reference.h"

#include <catch2/catch.hpp>

namespace fluxcpp::git {
namespace {

const std::string kSha1 = "5394cb7f48332b2de7c17dd8b8384bbc84b7e738";
const std::string kSha256 = "55609ff9d959589ed917ce32e6bc0f0a36809565f308602c15c3668965979edc";

TEST_CASE("FormatRevision follows §3.3", "[git]") {
  CHECK(FormatRevision("main", kSha1) == "main@sha1:" + kSha1);
  CHECK(FormatRevision("v1.0.0", kSha1) == "v1.0.0@sha1:" + kSha1);
  CHECK(FormatRevision("refs/pull/420/head", kSha1) == "refs/pull/420/head@sha1:" + kSha1);
  CHECK(FormatRevision("", kSha1) == "sha1:" + kSha1);
  CHECK(FormatRevision("main", kSha256) == "main@sha256:" + kSha256);
}

TEST_CASE("ShortRefName drops the first two components", "[git]") {
  CHECK(ShortRefName("refs/heads/main") == "main");
  CHECK(ShortRefName("refs/heads/feature/x") == "feature/x");
  CHECK(ShortRefName("refs/tags/v1.0.0") == "v1.0.0");
  CHECK(ShortRefName("HEAD") == "HEAD");
}

TEST_CASE("TransformRevision converts legacy revisions", "[git]") {
  CHECK(TransformRevision("main/" + kSha1) == "main@sha1:" + kSha1);
  CHECK(TransformRevision("feature/branch/" + kSha1) == "feature/branch@sha1:" + kSha1);
  CHECK(TransformRevision("HEAD/" + kSha1) == "sha1:" + kSha1);
  CHECK(TransformRevision("tag/" + kSha256) == "tag@sha256:" + kSha256);
  CHECK(TransformRevision(kSha256) == "sha256:" + kSha256);
  CHECK(TransformRevision("main@sha1:" + kSha1) == "main@sha1:" + kSha1);
  CHECK(TransformRevision("main/abc") == "main/abc");
  CHECK(TransformRevision("") == "");
  CHECK(ExtractHashFromRevision("main@sha1:" + kSha1) == kSha1);
  CHECK(ExtractHashFromRevision("main/" + kSha1) == kSha1);
  CHECK(ExtractHashFromRevision("nonsense") == "");
}

}  // namespace
}  // namespace fluxcpp::git
