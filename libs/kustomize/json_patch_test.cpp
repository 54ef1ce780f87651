#include "libs/kustomize/json_patch.h"

#include <catch2/catch.hpp>

namespace kz = fluxcpp::kustomize;
using fluxcpp::object::Value;

namespace {

std::string Error(const char* ops_yaml) {
  Value doc = Value::parse(R"({"metadata":{"name":"cm"},"data":{"k":"v"}})");
  auto ops = kz::ParseJsonPatch(ops_yaml);
  REQUIRE(ops.ok());
  auto out = kz::ApplyJsonPatch(doc, *ops);
  return out.ok() ? "" : std::string(out.status().message());
}

}  // namespace

// Messages as kubectl kustomize (kustomize v5.5.0) prints them.
TEST_CASE("json patch: missing paths fail like kustomize") {
  CHECK(Error("- op: add\n  path: /spec/template/x\n  value: 1\n") ==
        "add operation does not apply: doc is missing path: \"/spec/template/x\": missing value");
  CHECK(Error("- op: add\n  path: /data/k/z\n  value: 1\n") ==
        "add operation does not apply: doc is missing path: \"/data/k/z\": missing value");
  CHECK(Error("- op: replace\n  path: /a/b\n  value: 1\n") ==
        "replace operation does not apply: doc is missing path: /a/b: missing value");
  CHECK(Error("- op: remove\n  path: /a/b\n") ==
        "remove operation does not apply: doc is missing path: \"/a/b\": missing value");
  CHECK(Error("- op: remove\n  path: /data/zz\n") ==
        "error in remove for path: '/data/zz': Unable to remove nonexistent key: zz: missing value");
  CHECK(Error("- op: move\n  from: /x/y\n  path: /b\n") ==
        "move operation does not apply: doc is missing from path: /x/y: missing value");
  CHECK(Error("- op: test\n  path: /metadata/name\n  value: zz\n") == "testing value /metadata/name failed: test failed");
  CHECK(Error("- op: add\n  path: /data/n\n  value: 1\n- op: test\n  path: /data/n\n  value: 1\n") == "");
}

TEST_CASE("json patch: the body has YAML 1.1 booleans") {
  auto ops = kz::ParseJsonPatch("- op: add\n  path: /x\n  value: {a: y, b: off, n: 1, c: \"yes\"}\n");
  REQUIRE(ops.ok());
  auto out = kz::ApplyJsonPatch(Value::object(), *ops);
  REQUIRE(out.ok());
  CHECK((*out)["x"] == Value::parse(R"({"a":true,"b":false,"false":1,"c":"yes"})"));
}
