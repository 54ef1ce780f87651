#include "libs/runtime/index.h"

#include <catch2/catch.hpp>

namespace fluxcpp::runtime {
namespace {

TEST_CASE("IndexByReference files an object under kind/namespace/name of its reference", "[index]") {
  IndexFunc by_source = IndexByReference({"spec", "sourceRef"});
  object::Value same_ns = {{"metadata", {{"namespace", "apps"}, {"name", "a"}}},
                           {"spec", {{"sourceRef", {{"kind", "GitRepository"}, {"name", "repo"}}}}}};
  CHECK(by_source(same_ns) == std::vector<std::string>{"GitRepository/apps/repo"});
  CHECK(ReferenceIndexValue("GitRepository", "apps", "repo") == "GitRepository/apps/repo");

  object::Value cross_ns = same_ns;
  cross_ns["spec"]["sourceRef"]["namespace"] = "flux-system";
  CHECK(by_source(cross_ns) == std::vector<std::string>{"GitRepository/flux-system/repo"});

  object::Value no_ref = {{"metadata", {{"namespace", "apps"}}}, {"spec", {{"path", "./"}}}};
  CHECK(by_source(no_ref).empty());
  object::Value no_name = {{"spec", {{"sourceRef", {{"kind", "GitRepository"}}}}}};
  CHECK(by_source(no_name).empty());
  object::Value not_object = {{"spec", "oops"}};
  CHECK(by_source(not_object).empty());
}

}  // namespace
}  // namespace fluxcpp::runtime
