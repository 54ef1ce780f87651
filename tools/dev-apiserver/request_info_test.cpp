#include "tools/dev-apiserver/request_info.h"

#include <catch2/catch.hpp>

#include "tools/dev-apiserver/resource_registry.h"

using namespace fluxcpp::devapiserver;

TEST_CASE("resource paths") {
  auto i = ParseResourcePath("/api/v1/namespaces/ns/configmaps/x");
  REQUIRE(i.has_value());
  CHECK(i->group == "");
  CHECK(i->ns == "ns");
  CHECK(i->resource == "configmaps");
  CHECK(i->name == "x");
  i = ParseResourcePath("/apis/apps/v1/namespaces/ns/deployments/web/status");
  CHECK(i->group == "apps");
  CHECK(i->subresource == "status");
  i = ParseResourcePath("/api/v1/namespaces/ns");
  CHECK(i->resource == "namespaces");
  CHECK(i->name == "ns");
  CHECK(i->ns == "");
  i = ParseResourcePath("/api/v1/namespaces/ns/status");
  CHECK(i->resource == "namespaces");
  CHECK(i->subresource == "status");
  i = ParseResourcePath("/api/v1/namespaces");
  CHECK(i->resource == "namespaces");
  CHECK(i->name.empty());
  i = ParseResourcePath("/apis/source.toolkit.fluxcd.io/v1/gitrepositories");
  CHECK(i->resource == "gitrepositories");
  CHECK(i->ns.empty());
  i = ParseResourcePath("/api/v1/watch/namespaces/ns/pods");
  CHECK(i->legacy_watch);
  CHECK(i->resource == "pods");
  CHECK(!ParseResourcePath("/apis/apps/v1").has_value());
  CHECK(!ParseResourcePath("/version").has_value());
}

TEST_CASE("kube version ordering") {
  std::vector<std::string> v = {"v1alpha1", "v1beta1", "v2", "v1", "v1beta2", "foo", "v10"};
  std::sort(v.begin(), v.end(), KubeVersionLess);
  CHECK(v == std::vector<std::string>{"v10", "v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"});
}
