#pragma once
// Reconciles source.toolkit.fluxcd.io/v1 GitRepository: clone the ref, build
// a deterministic tar.gz artifact, store and advertise it (spec §2, §3).
//
// Thread-safe: the controller runs Reconcile for different objects on
// several workers at once; one object never runs on two.

#include <chrono>
#include <memory>
#include <string>

#include "libs/artifact/storage.h"
#include "libs/kube/client.h"
#include "libs/rpc/artifact_hub.h"
#include "libs/runtime/controller.h"
#include "libs/runtime/events.h"

namespace fluxcpp::source {

struct GitRepositoryOptions {
  std::chrono::nanoseconds artifact_retention_ttl = std::chrono::minutes(1);
  int artifact_retention_records = 2;
  std::chrono::nanoseconds requeue_dependency = std::chrono::seconds(30);
  std::string tmp_dir = "/tmp";
  // Root of the persistent fetch caches (one bare repository per object at
  // <root>/<namespace>/<name>.git); empty disables caching.
  std::string git_cache_dir;
  // Refuse repositories whose fetched data exceeds this size (0 = no limit).
  int64_t git_max_fetch_bytes = 0;
};

class GitRepositoryReconciler : public runtime::Reconciler {
 public:
  // All pointers are borrowed and must outlive the reconciler; `hub` may be null.
  GitRepositoryReconciler(kube::Client* client, artifact::Storage* storage, rpc::ArtifactHub* hub,
                          runtime::EventRecorder* events, GitRepositoryOptions options)
      : client_(client), storage_(storage), hub_(hub), events_(events), options_(std::move(options)) {}

  runtime::Result Reconcile(const runtime::Request& request, runtime::ReconcileContext& ctx) override;

  // Names of the GitRepositories in `ns` whose spec.include lists `name`
  // (for the watch that re-triggers includers when an included artifact changes).
  static bool Includes(const object::Value& includer, const std::string& name);

 private:
  kube::Client* client_;
  artifact::Storage* storage_;
  rpc::ArtifactHub* hub_;
  runtime::EventRecorder* events_;
  GitRepositoryOptions options_;
};

}  // namespace fluxcpp::source
