#include "libs/kustomize/merge_schema.h"

#include <catch2/catch.hpp>

namespace kz = fluxcpp::kustomize;

namespace {

// The reference at a path of fields (nullptr when any step has no schema).
const kz::SchemaRef* At(const kz::SchemaType* t, const std::vector<const char*>& path) {
  const kz::SchemaRef* ref = nullptr;
  for (const char* step : path) {
    if (t == nullptr) return nullptr;
    ref = t->Field(step);
    if (ref == nullptr) return nullptr;
    t = ref->type != nullptr ? ref->type : ref->element;
  }
  return ref;
}

}  // namespace

TEST_CASE("merge schema: built-in merge keys as data") {
  struct Fact {
    const char* api_version;
    const char* kind;
    std::vector<const char*> path;
    std::vector<std::string> keys;
  };
  const std::vector<Fact> facts = {
      {"apps/v1", "Deployment", {"spec", "template", "spec", "containers"}, {"name"}},
      {"apps/v1", "Deployment", {"spec", "template", "spec", "containers", "ports"}, {"containerPort", "protocol"}},
      {"batch/v1", "CronJob", {"spec", "jobTemplate", "spec", "template", "spec", "volumes"}, {"name"}},
      {"v1", "Service", {"spec", "ports"}, {"port", "protocol"}},
      {"v1", "ServiceAccount", {"secrets"}, {"name"}},
      {"v1", "PersistentVolumeClaim", {"status", "conditions"}, {"type"}},
      {"policy/v1", "PodDisruptionBudget", {"status", "conditions"}, {"type"}},
      {"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", {"webhooks"}, {"name"}},
      {"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", {"webhooks"}, {"name"}},
      {"apiregistration.k8s.io/v1", "APIService", {"status", "conditions"}, {"type"}},
      {"v1", "Node", {"status", "addresses"}, {"type"}},
      {"v1", "Node", {"spec", "podCIDRs"}, {}},
      {"v1", "Pod", {"status", "podIPs"}, {"ip"}},
      {"networking.k8s.io/v1", "Ingress", {"metadata", "finalizers"}, {}},
  };
  for (const Fact& f : facts) {
    INFO(f.kind << " " << f.path.back());
    const kz::SchemaRef* ref = At(kz::SchemaForKind(f.api_version, f.kind), f.path);
    REQUIRE(ref != nullptr);
    CHECK(ref->merge_list);
    CHECK(ref->keys == f.keys);
  }
}

TEST_CASE("merge schema: atomic lists and unknown kinds") {
  // Lists without patchStrategy merge are replaced whole.
  CHECK(At(kz::SchemaForKind("networking.k8s.io/v1", "Ingress"), {"spec", "rules"}) == nullptr);
  CHECK(At(kz::SchemaForKind("rbac.authorization.k8s.io/v1", "Role"), {"rules"}) == nullptr);
  CHECK(At(kz::SchemaForKind("autoscaling/v2", "HorizontalPodAutoscaler"), {"spec", "metrics"}) == nullptr);
  const kz::SchemaRef* vct = At(kz::SchemaForKind("apps/v1", "StatefulSet"), {"spec", "volumeClaimTemplates"});
  REQUIRE(vct != nullptr);
  CHECK_FALSE(vct->merge_list);
  REQUIRE(vct->element != nullptr);
  CHECK(vct->element->Field("metadata") != nullptr);
  // A CRD kind that shares a built-in name has no built-in schema.
  CHECK(kz::SchemaForKind("serving.knative.dev/v1", "Service") == nullptr);
}
