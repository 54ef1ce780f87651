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

struct KustomizationOptions {
  Duration requeue_dependency = std::chrono::seconds(30);
  int http_retry = 9;
  bool no_cross_namespace_refs = false;
  bool no_remote_bases = false;
  std::string default_service_account;
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
  // How often a Kustomization waiting on health is re-checked. Flux polls
  // every 5s while holding a worker; we release the worker and requeue.
  Duration health_poll_interval = std::chrono::seconds(2);
};

}  // namespace fluxcpp::kustomize_controller
