#include "libs/kube/rest_mapper.h"

#include <catch2/catch.hpp>

#include "libs/kube/errors.h"

namespace fluxcpp::kube {
namespace {

const char kAppsV1[] = R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
  {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["get"]},
  {"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get"]},
  {"name":"deployments/status","singularName":"","namespaced":true,"kind":"Deployment","verbs":["get"]},
  {"name":"controllerrevisions","singularName":"controllerrevision","namespaced":true,"kind":"ControllerRevision","verbs":["get"]}
]})";

const char kCoreV1[] = R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
  {"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["get"]},
  {"name":"namespaces/status","singularName":"","namespaced":false,"kind":"Namespace","verbs":["get"]},
  {"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","verbs":["get"]}
]})";

TEST_CASE("ParseResourceList folds subresources", "[mapper]") {
  auto list = RestMapper::ParseResourceList("apps", "v1", kAppsV1);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].gvk == GroupVersionKind{"apps", "v1", "Deployment"});
  CHECK((*list)[0].resource == "deployments");
  CHECK((*list)[0].namespaced);
  CHECK((*list)[0].has_status);
  CHECK((*list)[1].gvk.kind == "ControllerRevision");
  CHECK_FALSE((*list)[1].has_status);
}

TEST_CASE("RestMapper caches per group/version and refreshes on a miss", "[mapper]") {
  std::map<std::string, int> fetches;
  std::string apps = kAppsV1;
  RestMapper mapper(
      [&](const std::string& path) -> absl::StatusOr<std::string> {
        ++fetches[path];
        if (path == "/api/v1") return std::string(kCoreV1);
        if (path == "/apis/apps/v1") return apps;
        return StatusFromResponse(404, "");
      },
      absl::ZeroDuration());

  auto ns = mapper.Mapping({"", "v1", "Namespace"});
  REQUIRE(ns.ok());
  CHECK_FALSE(ns->namespaced);
  CHECK(ns->has_status);
  REQUIRE(mapper.Mapping({"", "v1", "ConfigMap"}).ok());
  CHECK(fetches["/api/v1"] == 1);

  REQUIRE(mapper.Mapping({"apps", "v1", "Deployment"}).ok());
  auto missing = mapper.Mapping({"apps", "v1", "StatefulSet"});
  CHECK(absl::IsNotFound(missing.status()));
  CHECK(missing.status().message() == "no matches for kind \"StatefulSet\" in version \"apps/v1\"");
  CHECK(fetches["/apis/apps/v1"] == 2);

  // A new kind appears (a CRD got established): found after a refresh.
  apps.insert(apps.rfind("]}"), R"(,{"name":"statefulsets","namespaced":true,"kind":"StatefulSet","verbs":[]})");
  REQUIRE(mapper.Mapping({"apps", "v1", "StatefulSet"}).ok());

  auto group = mapper.Mapping({"source.toolkit.fluxcd.io", "v1", "GitRepository"});
  CHECK(absl::IsNotFound(group.status()));
  CHECK(group.status().message() ==
        "no matches for kind \"GitRepository\" in version \"source.toolkit.fluxcd.io/v1\"");
}

TEST_CASE("RestMapper refreshes a group/version at most once per interval", "[mapper]") {
  int fetches = 0;
  RestMapper mapper(
      [&](const std::string&) -> absl::StatusOr<std::string> {
        ++fetches;
        return std::string(kCoreV1);
      },
      absl::Hours(1));
  CHECK(absl::IsNotFound(mapper.Mapping({"", "v1", "Secret"}).status()));
  CHECK(absl::IsNotFound(mapper.Mapping({"", "v1", "Secret"}).status()));
  CHECK(fetches == 1);
  mapper.Invalidate();
  CHECK(absl::IsNotFound(mapper.Mapping({"", "v1", "Secret"}).status()));
  CHECK(fetches == 2);
  CHECK(absl::IsInvalidArgument(mapper.Mapping({"", "", "Secret"}).status()));
}

TEST_CASE("RestMapper passes on discovery failures other than 404", "[mapper]") {
  RestMapper mapper([](const std::string&) -> absl::StatusOr<std::string> {
    return absl::UnavailableError("connection refused");
  });
  CHECK(absl::IsUnavailable(mapper.Mapping({"", "v1", "Secret"}).status()));
}

}  // namespace
}  // namespace fluxcpp::kube
