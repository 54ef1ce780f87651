#pragma once
// Reconciles kustomize.toolkit.fluxcd.io/v1 Kustomization (spec §10.5):
// resolve the source → dependsOn → fetch the artifact → build → post-build
// substitution → staged server-side apply → prune → health. The pieces live
// beside this file (source_resolver, dependency_checker, manifest_builder,
// post_build, applier_client + workload_identity, health_checker, finalizer,
// history, change_log); this
// class orders them and owns the conditions, events and status patch.
//
// Health checks never hold a worker: see health_checker.h.
//
// API requests per first apply of a Kustomization of n new objects: one
// finalizer patch, two status patches, two events, n dry-runs and n applies
// (the Kustomization and its source come from informer caches, see
// cached_reader.h; new objects are not read, see libs/ssa). Artifacts are
// downloaded once per (url, digest) while cached (artifact_cache.h).
//
// Thread-safe: different objects reconcile on several workers at once.

#include <chrono>
#include <string>
#include <vector>

#include "libs/kube/client.h"
#include "libs/runtime/controller.h"
#include "libs/runtime/events.h"
#include "services/kustomize-controller/artifact_cache.h"
#include "services/kustomize-controller/cached_reader.h"
#include "services/kustomize-controller/health_checker.h"
#include "services/kustomize-controller/kustomization_options.h"
#include "services/kustomize-controller/source_resolver.h"
#include "services/kustomize-controller/workload_identity.h"

namespace fluxcpp::kustomize_controller {

class KustomizationReconciler : public runtime::Reconciler {
 public:
  // Pointers are borrowed and must outlive the reconciler.
  KustomizationReconciler(kube::Client* client, runtime::EventRecorder* events, KustomizationOptions options);

  // Where the Kustomization and its source are read from (informer caches
  // when set up by main; GETs otherwise). Configure before the workers run.
  CachedReader& reader() { return reader_; }

  runtime::Result Reconcile(const runtime::Request& request, runtime::ReconcileContext& ctx) override;

  // Kustomizations waiting on health (for tests and metrics).
  const HealthWaits& health_waits() const { return waits_; }

 private:
  kube::Client* client_;
  runtime::EventRecorder* events_;
  KustomizationOptions options_;
  HealthWaits waits_;
  CachedReader reader_;
  TokenCache tokens_;  // workload-identity tokens for spec.kubeConfig.configMapRef
  std::unique_ptr<ArtifactCache> artifacts_;  // null when disabled
};

}  // namespace fluxcpp::kustomize_controller
