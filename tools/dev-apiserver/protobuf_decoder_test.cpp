#include "tools/dev-apiserver/protobuf_decoder.h"

#include <catch2/catch.hpp>

using fluxcpp::devapiserver::DecodeKubernetesProtobuf;
using fluxcpp::object::Value;

namespace {

// Minimal protobuf writer for building test messages.
std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string Bytes(int field, const std::string& data) { return Varint((field << 3) | 2) + Varint(data.size()) + data; }
std::string Int(int field, int64_t v) { return Varint(field << 3) + Varint(static_cast<uint64_t>(v)); }
std::string MapEntry(int field, const std::string& key, const std::string& value) {
  return Bytes(field, Bytes(1, key) + Bytes(2, value));
}

std::string Envelope(const std::string& api_version, const std::string& kind, const std::string& raw) {
  return std::string("k8s\0", 4) + Bytes(1, Bytes(1, api_version) + Bytes(2, kind)) + Bytes(2, raw);
}

}  // namespace

TEST_CASE("protobuf namespace and configmap, as kubectl create sends them") {
  // ObjectMeta: name=1, generateName=2 (empty, as Go writes it), creationTimestamp=8 (zero Time).
  std::string meta = Bytes(1, "team") + Bytes(2, "") + Bytes(8, "");
  auto ns = DecodeKubernetesProtobuf(Envelope("v1", "Namespace", Bytes(1, meta) + Bytes(2, "") + Bytes(3, "")));
  REQUIRE(ns.ok());
  CHECK(*ns == Value::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}})"));

  std::string cm_meta = Bytes(1, "settings") + Bytes(3, "default") + MapEntry(11, "app", "web");
  auto cm = DecodeKubernetesProtobuf(
      Envelope("v1", "ConfigMap", Bytes(1, cm_meta) + MapEntry(2, "color", "blue") + MapEntry(2, "empty", "")));
  REQUIRE(cm.ok());
  CHECK((*cm)["metadata"]["namespace"] == "default");
  CHECK((*cm)["metadata"]["labels"]["app"] == "web");
  CHECK((*cm)["data"] == Value::parse(R"({"color":"blue","empty":""})"));  // map values keep empties

  auto secret = DecodeKubernetesProtobuf(
      Envelope("v1", "Secret", Bytes(1, Bytes(1, "s")) + MapEntry(2, "password", "hunter2") + Bytes(3, "Opaque")));
  REQUIRE(secret.ok());
  CHECK((*secret)["data"]["password"] == "aHVudGVyMg==");  // bytes -> base64
  CHECK((*secret)["type"] == "Opaque");
}

TEST_CASE("protobuf deployment with nested messages and well-known types") {
  // Container: name=1, image=2, ports=6 (ContainerPort: containerPort=3).
  std::string container = Bytes(1, "app") + Bytes(2, "nginx") + Bytes(6, Int(3, 80));
  std::string pod_spec = Bytes(2, container);
  std::string template_spec = Bytes(1, Bytes(11, Bytes(1, "app") + Bytes(2, "web"))) + Bytes(2, pod_spec);
  // DeploymentSpec: replicas=1, selector=2 (LabelSelector matchLabels=1), template=3,
  // strategy=4 (type=1, rollingUpdate=2 {maxUnavailable=1 IntOrString{type=1,strVal=3}}).
  std::string max_unavailable = Int(1, 1) + Bytes(3, "25%");
  std::string strategy = Bytes(1, "RollingUpdate") + Bytes(2, Bytes(1, max_unavailable));
  std::string spec = Int(1, 3) + Bytes(2, MapEntry(1, "app", "web")) + Bytes(3, template_spec) + Bytes(4, strategy);
  // creationTimestamp (field 8): Time{seconds=1}.
  std::string meta = Bytes(1, "web") + Bytes(8, Int(1, 1700000000));
  auto d = DecodeKubernetesProtobuf(Envelope("apps/v1", "Deployment", Bytes(1, meta) + Bytes(2, spec)));
  REQUIRE(d.ok());
  Value& obj = *d;
  CHECK(obj["metadata"]["creationTimestamp"] == "2023-11-14T22:13:20Z");
  CHECK(obj["spec"]["replicas"] == 3);
  CHECK(obj["spec"]["selector"]["matchLabels"]["app"] == "web");
  CHECK(obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] == 80);
  CHECK(obj["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == "25%");
}

TEST_CASE("protobuf errors") {
  CHECK(!DecodeKubernetesProtobuf("{}").ok());
  CHECK(!DecodeKubernetesProtobuf(std::string("k8s\0\x0a\x05", 6)).ok());
  auto unknown = DecodeKubernetesProtobuf(Envelope("example.com/v1", "Thing", ""));
  CHECK(unknown.status().code() == absl::StatusCode::kUnimplemented);
}
