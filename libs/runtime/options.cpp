#include "libs/runtime/options.h"

#include <fstream>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/core/logger.h"
#include "libs/runtime/jitter.h"

namespace fluxcpp::runtime {
namespace {

std::optional<bool> ParseGoBool(std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "false" || v == "False") return false;
  return std::nullopt;
}

}  // namespace

void RegisterCommonFlags(FlagSet& flags, ManagerOptions& o) {
  o.metrics_addr = EnvOr("METRICS_ADDR", o.metrics_addr);
  o.events_addr = EnvOr("EVENTS_ADDR", o.events_addr);
  flags.String("kubeconfig", &o.kubeconfig, "Path to a kubeconfig. Only required if out-of-cluster.");
  flags.Bool("insecure-kubeconfig-exec", &o.insecure_kubeconfig_exec,
             "Allow use of the user.exec section in kubeconfigs (the controller's own and those provided for "
             "remote apply).");
  flags.String("metrics-addr", &o.metrics_addr, "The address the metric endpoint binds to.");
  flags.String("health-addr", &o.health_addr, "The address the health endpoint binds to.");
  flags.String("events-addr", &o.events_addr, "The address of the events receiver.");
  flags.Int("concurrent", &o.concurrent, "The number of concurrent reconciles per controller.");
  flags.String("log-level", &o.log_level, "Log verbosity level. Can be one of 'trace', 'debug', 'info', 'error'.");
  flags.String("log-encoding", &o.log_encoding, "Log encoding format. Can be 'json' or 'console'.");
  flags.Int("interval-jitter-percentage", &o.interval_jitter_percentage,
            "Percentage of jitter to apply to interval durations. A value of 10 will apply a jitter of +/-10% to "
            "the interval duration. It cannot be negative, and must be less than 100.");
  flags.DurationFlag("min-retry-delay", &o.min_retry_delay,
                     "The minimum amount of time for which an object being reconciled will have to wait before a "
                     "retry.");
  flags.DurationFlag("max-retry-delay", &o.max_retry_delay,
                     "The maximum amount of time for which an object being reconciled will have to wait before a "
                     "retry.");
  flags.Double("kube-api-qps", &o.kube_api_qps, "The maximum queries-per-second of requests sent to the Kubernetes API.");
  flags.Int("kube-api-burst", &o.kube_api_burst, "The maximum burst queries-per-second of requests sent to the Kubernetes API.");
  flags.Bool("watch-all-namespaces", &o.watch_all_namespaces,
             "Watch for custom resources in all namespaces, if set to false it will only watch the runtime namespace.");
  flags.String("watch-label-selector", &o.watch_label_selector,
               "Watch for resources with matching labels e.g. 'sharding.fluxcd.io/shard=shard1'.");
  flags.Bool("enable-leader-election", &o.enable_leader_election,
             "Enable leader election for controller manager. Enabling this will ensure there is only one active "
             "controller manager.");
  flags.DurationFlag("leader-election-lease-duration", &o.leader_election_lease_duration,
                     "Interval at which non-leader candidates will wait to force acquire leadership (duration string).");
  flags.DurationFlag("leader-election-renew-deadline", &o.leader_election_renew_deadline,
                     "Duration that the leading controller manager will retry refreshing leadership before giving up "
                     "(duration string).");
  flags.DurationFlag("leader-election-retry-period", &o.leader_election_retry_period,
                     "Duration the LeaderElector clients should wait between tries of actions (duration string).");
  flags.Bool("leader-election-release-on-cancel", &o.leader_election_release_on_cancel,
             "Defines if the leader should step down voluntarily on controller manager shutdown.");
  flags.String("leader-election-namespace", &o.leader_election_namespace,
               "Namespace of the leader election Lease (default: the runtime namespace, else flux-system).");
  flags.StringList("feature-gates", &o.feature_gates_raw,
                   "A comma separated list of key=value pairs defining the state of experimental features.");
}

absl::StatusOr<std::map<std::string, bool>> ParseFeatureGates(const std::vector<std::string>& items,
                                                              const std::map<std::string, bool>& known) {
  std::map<std::string, bool> out = known;
  for (const std::string& raw : items) {
    if (raw.empty()) continue;
    size_t eq = raw.find('=');
    if (eq == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid feature gate \"", raw, "\": expected key=value"));
    }
    std::string key = raw.substr(0, eq);
    std::optional<bool> value = ParseGoBool(raw.substr(eq + 1));
    if (!value) {
      return absl::InvalidArgumentError(absl::StrCat("invalid value of ", key, ": ", raw.substr(eq + 1)));
    }
    if (!known.empty() && known.count(key) == 0) {
      std::vector<std::string> names;
      for (const auto& [k, v] : known) names.push_back(k);
      return absl::InvalidArgumentError(
          absl::StrCat("unknown feature gate \"", key, "\", known gates: ", absl::StrJoin(names, ", ")));
    }
    out[key] = *value;
  }
  return out;
}

absl::Status FinalizeOptions(ManagerOptions& o, const std::map<std::string, bool>& known_gates) {
  if (absl::Status s = ValidateJitterPercentage(o.interval_jitter_percentage); !s.ok()) return s;
  if (o.concurrent < 1) return absl::InvalidArgumentError("--concurrent must be at least 1");
  if (o.min_retry_delay <= Duration::zero() || o.max_retry_delay < o.min_retry_delay) {
    return absl::InvalidArgumentError("--min-retry-delay must be positive and not above --max-retry-delay");
  }
  if (!Logger::SetLevel(o.log_level)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid --log-level \"", o.log_level, "\""));
  }
  if (!Logger::SetEncoding(o.log_encoding)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid --log-encoding \"", o.log_encoding, "\""));
  }
  for (const std::string& addr : {o.metrics_addr, o.health_addr}) {
    if (addr.empty() || addr == "0") continue;  // disabled
    if (auto a = ParseListenAddress(addr); !a.ok()) return a.status();
  }
  auto gates = ParseFeatureGates(o.feature_gates_raw, known_gates);
  if (!gates.ok()) return gates.status();
  o.feature_gates = std::move(*gates);
  o.runtime_namespace = EnvOr("RUNTIME_NAMESPACE", o.runtime_namespace);
  if (o.enable_leader_election &&
      !(o.leader_election_lease_duration > o.leader_election_renew_deadline &&
        o.leader_election_renew_deadline > o.leader_election_retry_period &&
        o.leader_election_retry_period > Duration::zero())) {
    return absl::InvalidArgumentError(
        "--leader-election-lease-duration must exceed --leader-election-renew-deadline, which must exceed "
        "--leader-election-retry-period");
  }
  if (!o.watch_all_namespaces && o.runtime_namespace.empty()) {
    return absl::InvalidArgumentError("--watch-all-namespaces=false needs the RUNTIME_NAMESPACE environment variable");
  }
  return absl::OkStatus();
}

std::string ManagerOptions::LeaderElectionNamespace() const {
  if (!leader_election_namespace.empty()) return leader_election_namespace;
  if (!runtime_namespace.empty()) return runtime_namespace;
  std::string env = EnvOr("RUNTIME_NAMESPACE", "");
  if (!env.empty()) return env;
  std::ifstream in("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
  std::string ns;
  if (in && std::getline(in, ns) && !ns.empty()) return ns;
  return "flux-system";
}

absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view addr_view) {
  const std::string addr(addr_view);
  size_t colon = addr.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("address ", addr, ": missing port"));
  }
  std::string host = addr.substr(0, colon);
  std::string port_text = addr.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  if (!absl::SimpleAtoi(port_text, &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("address ", addr, ": invalid port"));
  }
  ListenAddress out;
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  out.port = port;
  return out;
}

}  // namespace fluxcpp::runtime
