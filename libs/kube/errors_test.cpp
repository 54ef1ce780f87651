#include "libs/kube/errors.h"

#include <catch2/catch.hpp>

#include "libs/kube/client.h"

namespace fluxcpp::kube {
namespace {

std::string Body(int code, const std::string& reason, const std::string& message) {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")" + message +
         R"(","reason":")" + reason + R"(","code":)" + std::to_string(code) + "}";
}

TEST_CASE("StatusFromResponse maps codes and keeps message and reason", "[errors]") {
  struct Case {
    int code;
    std::string reason;
    absl::StatusCode want;
  };
  std::vector<Case> cases = {
      {404, "NotFound", absl::StatusCode::kNotFound},
      {409, "AlreadyExists", absl::StatusCode::kAlreadyExists},
      {409, "Conflict", absl::StatusCode::kAborted},
      {403, "Forbidden", absl::StatusCode::kPermissionDenied},
      {401, "Unauthorized", absl::StatusCode::kUnauthenticated},
      {422, "Invalid", absl::StatusCode::kInvalidArgument},
      {400, "BadRequest", absl::StatusCode::kInvalidArgument},
      {410, "Expired", absl::StatusCode::kOutOfRange},
      {429, "TooManyRequests", absl::StatusCode::kUnavailable},
      {500, "InternalError", absl::StatusCode::kUnavailable},
      {503, "ServiceUnavailable", absl::StatusCode::kUnavailable},
  };
  for (const auto& c : cases) {
    absl::Status s = StatusFromResponse(c.code, Body(c.code, c.reason, "the message"));
    INFO(c.code << " " << c.reason);
    CHECK(s.code() == c.want);
    CHECK(s.message() == "the message");
    CHECK(ReasonOf(s) == c.reason);
    CHECK(HttpCodeOf(s) == c.code);
  }
}

TEST_CASE("StatusFromResponse without a Status body", "[errors]") {
  absl::Status s = StatusFromResponse(404, "404 page not found\n");
  CHECK(absl::IsNotFound(s));
  CHECK(s.message() == "the server responded with HTTP 404: 404 page not found");
  CHECK(ReasonOf(s) == "NotFound");

  s = StatusFromResponse(502, "");
  CHECK(absl::IsUnavailable(s));
  CHECK(ReasonOf(s) == "");
  CHECK(HttpCodeOf(s) == 502);
}

TEST_CASE("StatusFromApiStatus for watch ERROR events", "[errors]") {
  auto obj = object::ParseJson(Body(410, "Expired", "too old resource version: 1 (5)"));
  REQUIRE(obj.ok());
  absl::Status s = StatusFromApiStatus(*obj);
  CHECK(absl::IsOutOfRange(s));
  CHECK(ReasonOf(s) == "Expired");
}

TEST_CASE("ReasonOf on foreign statuses", "[errors]") {
  CHECK(ReasonOf(absl::OkStatus()) == "");
  CHECK(ReasonOf(absl::NotFoundError("x")) == "");
  CHECK(HttpCodeOf(absl::NotFoundError("x")) == 0);
}

}  // namespace
}  // namespace fluxcpp::kube
