#include "libs/core/digest.h"

#include <catch2/catch.hpp>

TEST_CASE("sha256 of known inputs") {
  CHECK(fluxcpp::Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(fluxcpp::Sha256Digest("abc") ==
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(fluxcpp::Sha1Hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("VerifyDigest checks algorithm-prefixed and bare digests") {
  CHECK(fluxcpp::VerifyDigest("abc", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad").ok());
  CHECK(fluxcpp::VerifyDigest("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad").ok());
  auto bad = fluxcpp::VerifyDigest("abd", "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(bad.code() == absl::StatusCode::kDataLoss);
  CHECK(std::string(bad.message()).find("computed digest doesn't match provided") == 0);
  CHECK(fluxcpp::VerifyDigest("abc", "md5:00").code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("Hasher streams") {
  auto h = fluxcpp::Hasher::Create("sha256");
  REQUIRE(h.ok());
  h->Update("a");
  h->Update("bc");
  CHECK(h->FinishHex() == fluxcpp::Sha256Hex("abc"));
}
