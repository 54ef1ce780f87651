#include "libs/kustomize/build_annotations.h"

#include <catch2/catch.hpp>

#include "libs/object/yaml.h"

namespace kz = fluxcpp::kustomize;
using fluxcpp::object::Value;

TEST_CASE("build annotations: injected for a JSON patch, stripped after") {
  kz::Resource r;
  r.obj = Value::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p-cm-s","namespace":"ns1"}})");
  r.prev_ids = {{"", "v1", "ConfigMap", "cm", ""}, {"", "v1", "ConfigMap", "cm", "ns1"}};
  r.prefixes = {"p-"};
  r.suffixes = {"-s"};
  Value obj = r.obj;
  kz::InjectBuildAnnotations(r, obj);
  const Value& ann = obj["metadata"]["annotations"];
  CHECK(ann["internal.config.kubernetes.io/previousNames"] == "cm,cm");
  CHECK(ann["internal.config.kubernetes.io/previousKinds"] == "ConfigMap,ConfigMap");
  CHECK(ann["internal.config.kubernetes.io/previousNamespaces"] == "default,ns1");
  CHECK(ann["internal.config.kubernetes.io/prefixes"] == "p-");
  CHECK(ann["internal.config.kubernetes.io/suffixes"] == "-s");
  CHECK_FALSE(ann.contains("internal.config.kubernetes.io/needsHashSuffix"));
  obj["metadata"]["annotations"]["user"] = "kept";
  kz::StripBuildAnnotations(obj);
  CHECK(obj["metadata"]["annotations"] == Value::parse(R"({"user":"kept"})"));
  obj["metadata"]["annotations"].erase("user");
  kz::StripBuildAnnotations(obj);
  CHECK_FALSE(obj["metadata"].contains("annotations"));  // an emptied map goes
}

TEST_CASE("build annotations: generator options and cluster-scoped previous namespaces") {
  kz::Resource r;
  r.obj = Value::parse(R"({"kind":"ClusterRole","metadata":{"name":"cr","annotations":{"a":"b"}}})");
  r.prev_ids = {{"rbac.authorization.k8s.io", "v1", "ClusterRole", "cr", ""}};
  r.generated = true;
  r.needs_hash = true;
  r.behavior = "create";
  r.behavior_unspecified = true;
  Value obj = r.obj;
  kz::InjectBuildAnnotations(r, obj);
  const Value& ann = obj["metadata"]["annotations"];
  CHECK(ann["a"] == "b");
  CHECK(ann["internal.config.kubernetes.io/previousNamespaces"] == "_non_namespaceable_");
  CHECK(ann["internal.config.kubernetes.io/needsHashSuffix"] == "enabled");
  CHECK(ann["internal.config.kubernetes.io/generatorBehavior"] == "unspecified");
  r.behavior_unspecified = false;
  r.behavior = "merge";
  Value again = r.obj;
  kz::InjectBuildAnnotations(r, again);
  CHECK(again["metadata"]["annotations"]["internal.config.kubernetes.io/generatorBehavior"] == "merge");
  kz::StripBuildAnnotations(again);
  CHECK(again == r.obj);
}
