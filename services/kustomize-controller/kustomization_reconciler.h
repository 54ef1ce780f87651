#pragma once
// Reconciles kustomize.toolkit.fluxcd.io/v1 Kustomization: fetch the source
// artifact, build with libs/kustomize, server-side apply in stages, record
// the inventory and prune what left Git (spec §10).
//
// Thread-safe: different objects reconcile on several workers at once.

#include <chrono>
#include <string>
#include <vector>

#include "libs/kube/client.h"
#include "libs/runtime/controller.h"
#include "libs/runtime/events.h"

namespace fluxcpp::kustomize_controller {

struct KustomizationOptions {
  std::chrono::nanoseconds requeue_dependency = std::chrono::seconds(30);
  int http_retry = 9;
  bool no_cross_namespace_refs = false;
  bool no_remote_bases = false;
  std::string default_service_account;
  std::string tmp_dir = "/tmp";
};

class KustomizationReconciler : public runtime::Reconciler {
 public:
  // Pointers are borrowed and must outlive the reconciler.
  KustomizationReconciler(kube::Client* client, runtime::EventRecorder* events, KustomizationOptions options)
      : client_(client), events_(events), options_(std::move(options)) {}

  runtime::Result Reconcile(const runtime::Request& request, runtime::ReconcileContext& ctx) override;

  // Source kind/namespace/name a Kustomization refers to ("GitRepository", ns, name).
  static std::tuple<std::string, std::string, std::string> SourceOf(const object::Value& kustomization);

 private:
  kube::Client* client_;
  runtime::EventRecorder* events_;
  KustomizationOptions options_;
};

}  // namespace fluxcpp::kustomize_controller
