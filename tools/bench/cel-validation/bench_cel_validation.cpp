// Times CelValidator::Compile and Validate on the Flux Kustomization CRD
// (manifests/11-crd-kustomizations.yaml) and on a synthetic CRD with a
// 100-entry list-map under transition rules. Prints microseconds per call.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "libs/apimachinery/cel_validation.h"
#include "libs/object/yaml.h"

using fluxcpp::object::Value;
namespace am = fluxcpp::apimachinery;

namespace {

template <typename F>
double MicrosPerCall(int n, F&& f) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) f();
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / n;
}

Value Yaml(const std::string& text) {
  auto v = fluxcpp::object::ParseYaml(text);
  if (!v.ok()) {
    std::fprintf(stderr, "yaml: %s\n", std::string(v.status().message()).c_str());
    std::exit(1);
  }
  return *v;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  std::string root = std::getenv("FLUXCPP_SOURCE_DIR") ? std::getenv("FLUXCPP_SOURCE_DIR") : ".";
  std::ifstream f(root + "/manifests/11-crd-kustomizations.yaml");
  std::stringstream ss;
  ss << f.rdbuf();
  Value crd = Yaml(ss.str());
  const Value& schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
  Value ks = Yaml(R"Y(
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 5m
  prune: true
  path: ./apps
  sourceRef: {kind: GitRepository, name: repo}
  kubeConfig: {secretRef: {name: kc}}
)Y");
  auto v = am::CelValidator::Compile(schema);
  std::printf("kustomization CRD: %zu rules\n", v->rule_count());
  std::printf("  compile            %8.2f us\n", MicrosPerCall(n / 10 + 1, [&] { am::CelValidator::Compile(schema); }));
  std::printf("  validate (create)  %8.2f us\n", MicrosPerCall(n, [&] { (void)v->Validate(ks, nullptr); }));
  std::printf("  validate (update)  %8.2f us\n", MicrosPerCall(n, [&] { (void)v->Validate(ks, &ks); }));

  Value big = Yaml(R"Y(
type: object
properties:
  spec:
    type: object
    x-kubernetes-validations:
    - rule: self.ports.all(p, p.port > 0 && p.port < 65536)
    - rule: self.ports.map(p, p.port).isSorted()
    properties:
      ports:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [name]
        items:
          type: object
          properties: {name: {type: string}, port: {type: integer}}
          x-kubernetes-validations:
          - rule: self.port == oldSelf.port
          - rule: self.name.matches('^[a-z0-9-]+$')
)Y");
  Value obj = Value::object();
  Value ports = Value::array();
  for (int i = 0; i < 100; ++i) ports.push_back({{"name", "p" + std::to_string(i)}, {"port", 1000 + i}});
  obj["spec"]["ports"] = ports;
  auto bv = am::CelValidator::Compile(big);
  std::printf("100-entry list-map, 4 rules (2 per item, 1 transition):\n");
  std::printf("  validate (create)  %8.2f us\n", MicrosPerCall(n / 10 + 1, [&] { (void)bv->Validate(obj, nullptr); }));
  std::printf("  validate (update)  %8.2f us\n", MicrosPerCall(n / 10 + 1, [&] { (void)bv->Validate(obj, &obj); }));
  if (!bv->Validate(obj, &obj).empty()) {
    std::fprintf(stderr, "unexpected validation errors\n");
    return 1;
  }
  return 0;
}
