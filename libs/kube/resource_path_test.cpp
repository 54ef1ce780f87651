#include "libs/kube/resource_path.h"

#include <catch2/catch.hpp>

namespace fluxcpp::kube {
namespace {

ResourceMapping M(std::string group, std::string version, std::string kind, std::string resource, bool ns) {
  ResourceMapping m;
  m.gvk = {std::move(group), std::move(version), std::move(kind)};
  m.resource = std::move(resource);
  m.namespaced = ns;
  return m;
}

TEST_CASE("ResourcePath builds core, group, namespaced and cluster paths", "[path]") {
  auto cm = M("", "v1", "ConfigMap", "configmaps", true);
  CHECK(ResourcePath(cm, "flux-system") == "/api/v1/namespaces/flux-system/configmaps");
  CHECK(ResourcePath(cm, "flux-system", "x") == "/api/v1/namespaces/flux-system/configmaps/x");
  CHECK(ResourcePath(cm, "") == "/api/v1/configmaps");  // all namespaces

  auto deploy = M("apps", "v1", "Deployment", "deployments", true);
  CHECK(ResourcePath(deploy, "default", "web", "status") == "/apis/apps/v1/namespaces/default/deployments/web/status");
  CHECK(ResourcePath(deploy, "default", "", "status") == "/apis/apps/v1/namespaces/default/deployments");

  auto ns = M("", "v1", "Namespace", "namespaces", false);
  CHECK(ResourcePath(ns, "ignored", "flux-system") == "/api/v1/namespaces/flux-system");
  CHECK(ResourcePath(ns, "ignored") == "/api/v1/namespaces");

  auto crd = M("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false);
  CHECK(ResourcePath(crd, "", "gitrepositories.source.toolkit.fluxcd.io") ==
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io");
}

TEST_CASE("ResourcePath escapes segments", "[path]") {
  auto cm = M("", "v1", "ConfigMap", "configmaps", true);
  CHECK(ResourcePath(cm, "a b", "x/y?z") == "/api/v1/namespaces/a%20b/configmaps/x%2Fy%3Fz");
  CHECK(ResourcePath(cm, "ns", "system:controller:a~b_c.d-e") ==
        "/api/v1/namespaces/ns/configmaps/system%3Acontroller%3Aa~b_c.d-e");
}

TEST_CASE("Query encodes like url.Values", "[path]") {
  Query q;
  q.Add("watch", "true")
      .Add("labelSelector", "app=web,tier in (a, b)")
      .Add("fieldSelector", "metadata.name=x")
      .Add("continue", "")
      .AddInt("limit", 0)
      .AddInt("timeoutSeconds", 30)
      .AddBool("allowWatchBookmarks", true)
      .AddBool("force", false);
  CHECK(q.Encode() ==
        "?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dx&labelSelector=app%3Dweb%2Ctier+in+%28a%2C+b%29"
        "&timeoutSeconds=30&watch=true");
  CHECK(Query().Encode() == "");
  CHECK(Query().Add("resourceVersion", "", /*keep_empty=*/true).Encode() == "?resourceVersion=");
  CHECK(QueryEscape("a+b&c") == "a%2Bb%26c");
}

TEST_CASE("GroupVersionKind helpers", "[path]") {
  auto gvk = GroupVersionKind::FromApiVersion("source.toolkit.fluxcd.io/v1", "GitRepository");
  CHECK(gvk.group == "source.toolkit.fluxcd.io");
  CHECK(gvk.version == "v1");
  CHECK(gvk.ApiVersion() == "source.toolkit.fluxcd.io/v1");
  auto core = GroupVersionKind::FromApiVersion("v1", "Secret");
  CHECK(core.group.empty());
  CHECK(core.ApiVersion() == "v1");
  object::Value obj = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
                       {"metadata", {{"name", "web"}, {"namespace", "default"}}}};
  CHECK(GroupVersionKind::Of(obj) == GroupVersionKind{"apps", "v1", "Deployment"});
  CHECK(ObjectKey(obj) == "default/web");
  obj["metadata"].erase("namespace");
  CHECK(ObjectKey(obj) == "web");
}

}  // namespace
}  // namespace fluxcpp::kube
