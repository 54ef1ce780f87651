#include "tools/dev-apiserver/workload_simulator.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "libs/object/yaml.h"

using namespace fluxcpp::devapiserver;
using fluxcpp::object::Value;

TEST_CASE("simulated workload status is healthy and stable") {
  auto store = std::move(*Store::Open({}));
  ResourceRegistry registry;
  ObjectService service(*store, registry);
  REQUIRE(service.Bootstrap().ok());
  WorkloadSimulator simulator(service);
  simulator.Start();
  RequestScope deploys{registry.Find("apps", "v1", "deployments"), "default", "", "", "test", false};
  REQUIRE(service.Create(deploys, *fluxcpp::object::ParseYaml(
                                      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}"))
              .ok());
  REQUIRE(service.Create(deploys, *fluxcpp::object::ParseYaml(
                                      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: stuck, annotations: "
                                      "{dev-apiserver.fluxcpp.io/simulate: 'false'}}\nspec: {replicas: 3}"))
              .ok());
  RequestScope web = deploys;
  web.name = "web";
  Value d;
  for (int i = 0; i < 100; ++i) {
    d = Value::parse(**service.Get(web));
    if (d["status"].contains("readyReplicas")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(d["status"]["readyReplicas"] == 3);
  CHECK(d["status"]["observedGeneration"] == 1);
  CHECK(d["status"]["conditions"][1]["reason"] == "NewReplicaSetAvailable");
  // Settled: the status is not rewritten over and over.
  std::string rv = d["metadata"]["resourceVersion"];
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(Value::parse(**service.Get(web))["metadata"]["resourceVersion"] == rv);
  RequestScope stuck = deploys;
  stuck.name = "stuck";
  CHECK(Value::parse(**service.Get(stuck))["status"] == Value::object());
  simulator.Stop();
}

TEST_CASE("simulated status per kind") {
  ResourceInfo pvc;
  pvc.plural = "persistentvolumeclaims";
  Value claim = *fluxcpp::object::ParseYaml("spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}");
  Value s = SimulatedStatus(pvc, claim, "2024-01-01T00:00:00Z");
  CHECK(s["phase"] == "Bound");
  CHECK(s["capacity"]["storage"] == "1Gi");
  ResourceInfo svc;
  svc.plural = "services";
  CHECK(SimulatedStatus(svc, *fluxcpp::object::ParseYaml("spec: {type: ClusterIP}"), "x").is_null());
  CHECK(SimulatedStatus(svc, *fluxcpp::object::ParseYaml("spec: {type: LoadBalancer}"), "x")["loadBalancer"]["ingress"][0]["ip"] ==
        "127.0.0.1");
  ResourceInfo cm;
  cm.plural = "configmaps";
  CHECK(SimulatedStatus(cm, Value::object(), "x").is_null());
}
