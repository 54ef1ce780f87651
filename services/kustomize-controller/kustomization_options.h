#pragma once
// Process-wide settings of the Kustomization reconciler: Flux's flags and
// feature gates (spec §10.18), resolved by main.cpp.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "libs/core/duration.h"

namespace fluxcpp::kustomize_controller {

// Feature gates kustomize-controller knows, with Flux's defaults.
inline constexpr const char* kStrictPostBuildSubstitutions = "StrictPostBuildSubstitutions";
inline constexpr const char* kDisableFailFastBehavior = "DisableFailFastBehavior";
inline constexpr const char* kCancelHealthCheckOnNewRevision = "CancelHealthCheckOnNewRevision";
inline constexpr const char* kExternalArtifact = "ExternalArtifact";
inline constexpr const char* kDisableConfigWatchers = "DisableConfigWatchers";
inline constexpr const char* kObjectLevelWorkloadIdentity = "ObjectLevelWorkloadIdentity";
inline constexpr const char* kGroupChangeLog = "GroupChangeLog";
inline constexpr const char* kMigrateAPIVersion = "MigrateAPIVersion";
inline constexpr const char* kDisableStatusPollerCache = "DisableStatusPollerCache";
inline constexpr const char* kAdditiveCELDependencyCheck = "AdditiveCELDependencyCheck";

struct KustomizationOptions {
  Duration requeue_dependency = std::chrono::seconds(30);
  int http_retry = 9;
  bool no_cross_namespace_refs = false;
  bool no_remote_bases = false;
  std::string default_service_account;
  // --default-kubeconfig-service-account (spec.kubeConfig.configMapRef).
  std::string default_kubeconfig_service_account;
  // The controller's own projected service-account token, whose subject
  // names the service account used for configMapRef without one.
  std::string controller_token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  // --token-cache-max-size: workload-identity tokens kept (0 = none).
  size_t token_cache_max_size = 100;
  // --token-cache-max-duration: longest a cached token is reused.
  Duration token_cache_max_duration = std::chrono::hours(1);
  std::string tmp_dir = "/tmp";
  // Extracted artifacts kept per (url, digest) for Kustomizations sharing a
  // source (artifact_cache.h); 0 = download for every reconcile.
  size_t artifact_cache_size = 16;
  // --concurrent-ssa: dry-runs of one apply stage run in parallel.
  int concurrent_ssa = 4;
  // --override-manager: managers whose fields are reverted.
  std::vector<std::string> override_managers;
  // --custom-apply-stage-kinds as {group, kind}.
  std::vector<std::pair<std::string, std::string>> custom_stage_kinds;
  bool insecure_kubeconfig_exec = false;
  bool insecure_kubeconfig_tls = false;
  // Feature gates.
  bool strict_substitution = true;
  bool fail_fast = true;
  bool cancel_health_check_on_new_revision = false;
  bool external_artifact = false;
  bool object_level_workload_identity = false;
  // GroupChangeLog: the apply log line groups object names per action (change_log.h).
  bool group_change_log = false;
  // MigrateAPIVersion: managed-fields entries are moved to the applied
  // object's apiVersion before each apply (ssa::ApplyOptions).
  bool migrate_api_version = false;
  // AdditiveCELDependencyCheck: dependsOn[].readyExpr and the built-in check must both pass.
  bool additive_cel_dependency_check = false;
  // How often a Kustomization waiting on health is re-checked. Flux polls
  // every 5s while holding a worker; we release the worker and requeue.
  Duration health_poll_interval = std::chrono::seconds(2);
};

}  // namespace fluxcpp::kustomize_controller
