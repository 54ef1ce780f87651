#pragma once
// The flags every Flux controller shares (fluxcd/pkg runtime flag binders),
// with Flux's names and defaults, and their parsing helpers.
//
//   ManagerOptions opts;
//   opts.concurrent = 2;  // per-binary default, before registering
//   FlagSet flags("source-controller");
//   RegisterCommonFlags(flags, opts);
//   FLUX_RETURN_IF_ERROR(flags.Parse(argc, argv));
//   FLUX_RETURN_IF_ERROR(FinalizeOptions(opts, {{"CacheSecretsAndConfigMaps", false}}));

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/core/duration.h"
#include "libs/core/flags.h"

namespace fluxcpp::runtime {

struct ManagerOptions {
  std::string kubeconfig;                // --kubeconfig ("" = $KUBECONFIG, in-cluster, ~/.kube/config)
  // --insecure-kubeconfig-exec: allow kubeconfig exec credential plugins
  // (and auth-provider plugins), refused by default as in Flux
  // (CVE-2022-24817): for --kubeconfig here and for spec.kubeConfig.
  bool insecure_kubeconfig_exec = false;
  std::string metrics_addr = ":8080";    // --metrics-addr (env METRICS_ADDR)
  std::string health_addr = ":9440";     // --health-addr
  std::string events_addr;               // --events-addr (env EVENTS_ADDR)
  int concurrent = 4;                    // --concurrent
  std::string log_level = "info";        // --log-level: trace|debug|info|error
  std::string log_encoding = "json";     // --log-encoding: json|console
  int interval_jitter_percentage = 5;    // --interval-jitter-percentage, [0, 100)
  Duration min_retry_delay = std::chrono::milliseconds(750);  // --min-retry-delay
  Duration max_retry_delay = std::chrono::minutes(15);        // --max-retry-delay
  double kube_api_qps = 50;              // --kube-api-qps
  int kube_api_burst = 300;              // --kube-api-burst
  bool watch_all_namespaces = true;      // --watch-all-namespaces
  std::string watch_label_selector;      // --watch-label-selector
  // Leader election (see leader_elector.h): controllers run only while this
  // replica holds the Lease `leader_election_id`.
  bool enable_leader_election = false;   // --enable-leader-election
  Duration leader_election_lease_duration = std::chrono::seconds(35);  // --leader-election-lease-duration
  Duration leader_election_renew_deadline = std::chrono::seconds(30);  // --leader-election-renew-deadline
  Duration leader_election_retry_period = std::chrono::seconds(5);     // --leader-election-retry-period
  bool leader_election_release_on_cancel = true;  // --leader-election-release-on-cancel
  // --leader-election-namespace; "" = RUNTIME_NAMESPACE, else the in-cluster
  // namespace, else "flux-system".
  std::string leader_election_namespace;
  // The Lease name, set by each binary's main:
  //   opts.leader_election_id = LeaderElectionId("source-controller", opts.watch_label_selector);
  // (after flags are parsed). "" = derived from the executable's name.
  std::string leader_election_id;
  // This replica's holderIdentity; "" = DefaultLeaderIdentity().
  std::string leader_election_identity;
  // On lost leadership the manager cancels every reconcile and, when true,
  // exits the process with status 1 (controller-runtime's "leader election
  // lost"), so the supervisor restarts it as a candidate. When false, Run()
  // returns kAborted instead (in-process tests).
  bool exit_on_lost_leadership = true;
  std::vector<std::string> feature_gates_raw;  // --feature-gates A=true,B=false

  // Filled by FinalizeOptions().
  std::map<std::string, bool> feature_gates;  // known gates with defaults, overridden by the flag
  std::string runtime_namespace;              // env RUNTIME_NAMESPACE

  // "" when --watch-all-namespaces, else RUNTIME_NAMESPACE.
  std::string WatchNamespace() const { return watch_all_namespaces ? "" : runtime_namespace; }
  // Where the Lease lives (see leader_election_namespace).
  std::string LeaderElectionNamespace() const;
  bool FeatureEnabled(const std::string& gate) const {
    auto it = feature_gates.find(gate);
    return it != feature_gates.end() && it->second;
  }
};

// Registers the shared flags on `flags`, writing into `options` (whose
// current values are the defaults; METRICS_ADDR / EVENTS_ADDR env override).
void RegisterCommonFlags(FlagSet& flags, ManagerOptions& options);

// Validates values, parses --feature-gates against `known_gates` (name →
// default), reads RUNTIME_NAMESPACE, and applies --log-level/--log-encoding
// to the process logger.
absl::Status FinalizeOptions(ManagerOptions& options, const std::map<std::string, bool>& known_gates = {});

// "A=true,B=false" items (already split on commas) over `known` defaults.
// An empty `known` accepts any gate name.
absl::StatusOr<std::map<std::string, bool>> ParseFeatureGates(const std::vector<std::string>& items,
                                                              const std::map<std::string, bool>& known);

struct ListenAddress {
  std::string host;  // "0.0.0.0" when the address had no host
  int port = 0;      // 0 = pick a free port
};
// Go's net.Listen address syntax: ":8080", "127.0.0.1:0", "[::1]:9440", "localhost:80".
absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view addr);

}  // namespace fluxcpp::runtime
