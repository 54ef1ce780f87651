#include "libs/runtime/manager.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/http/server.h"
#include "libs/runtime/process_metrics.h"

namespace fluxcpp::runtime {
namespace {

std::atomic<int> g_signal_fd{-1};

void OnSignal(int) {
  int fd = g_signal_fd.load();
  if (fd >= 0) {
    char c = 's';
    (void)!write(fd, &c, 1);
  }
}

}  // namespace

Manager::Manager(std::unique_ptr<kube::Client> client, ManagerOptions options)
    : client_(std::move(client)), options_(std::move(options)), metrics_(registry_) {
  RegisterProcessMetrics(registry_);
  if (pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) stop_pipe_[0] = stop_pipe_[1] = -1;
}

Manager::~Manager() {
  Stop(std::chrono::seconds(5));
  if (stop_pipe_[0] >= 0) close(stop_pipe_[0]);
  if (stop_pipe_[1] >= 0) close(stop_pipe_[1]);
}

ControllerOptions Manager::ControllerDefaults(const std::string& name, const kube::GroupVersionKind& gvk) {
  ControllerOptions o;
  o.name = name;
  o.gvk = gvk;
  o.ns = options_.WatchNamespace();
  o.label_selector = options_.watch_label_selector;
  o.concurrent = options_.concurrent;
  o.min_retry_delay = options_.min_retry_delay;
  o.max_retry_delay = options_.max_retry_delay;
  o.jitter_percentage = options_.interval_jitter_percentage;
  o.metrics = &metrics_;
  o.logger = logger_;
  return o;
}

Controller& Manager::AddController(ControllerOptions options, std::unique_ptr<Reconciler> reconciler) {
  auto c = std::make_unique<Controller>(*client_, std::move(options), std::move(reconciler));
  Controller& ref = *c;
  absl::MutexLock l(&mu_);
  controllers_.push_back(std::move(c));
  return ref;
}

std::shared_ptr<Informer> Manager::SharedInformer(const kube::GroupVersionKind& gvk, const std::string& ns,
                                                  const std::string& label_selector) {
  std::string key = absl::StrCat(gvk.ApiVersion(), "/", gvk.kind, "|", ns, "|", label_selector);
  absl::MutexLock l(&mu_);
  auto& slot = informers_[key];
  if (slot == nullptr) {
    InformerOptions io;
    io.gvk = gvk;
    io.ns = ns;
    io.label_selector = label_selector;
    io.logger = logger_;
    slot = std::make_shared<Informer>(*client_, std::move(io));
    if (started_) slot->Start();
  }
  return slot;
}

void Manager::AddHealthCheck(const std::string& name, std::function<absl::Status()> check) {
  absl::MutexLock l(&mu_);
  health_checks_.push_back({name, std::move(check)});
}

void Manager::AddReadyCheck(const std::string& name, std::function<absl::Status()> check) {
  absl::MutexLock l(&mu_);
  ready_checks_.push_back({name, std::move(check)});
}

absl::Status Manager::RunChecks(const std::vector<Check>& checks) {
  for (const Check& c : checks) {
    absl::Status s = c.fn();
    if (!s.ok()) return absl::UnavailableError(absl::StrCat(c.name, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status Manager::ReadyStatus() const {
  std::vector<Check> checks;
  {
    absl::MutexLock l(&mu_);
    if (!started_) return absl::UnavailableError("not started");
    for (const auto& [key, informer] : informers_) {
      if (!informer->HasSynced()) {
        return absl::UnavailableError(absl::StrCat("informer ", informer->options().gvk.kind, " not synced"));
      }
    }
    // A standby (not leading) runs no controllers; it is ready to take over.
    if (!options_.enable_leader_election || leading_.load()) {
      for (const auto& c : controllers_) {
        if (!c->HasSynced()) return absl::UnavailableError(absl::StrCat("controller ", c->name(), " not synced"));
      }
    }
    checks = ready_checks_;
  }
  return RunChecks(checks);
}

absl::Status Manager::StartServer() {
  // Probes and scrapes are rare and quick: one thread serves both endpoints
  // (threads cost idle RSS); routes are per listener, so /metrics does not
  // answer on the health port and the probes not on the metrics port.
  server_ = std::make_unique<http::Server>();
  auto listen = [this](const char* flag, const std::string& addr,
                       int& port) -> absl::StatusOr<int> {
    port = 0;
    if (addr.empty() || addr == "0") return -1;  // disabled, as controller-runtime's "0"
    absl::StatusOr<ListenAddress> la = ParseListenAddress(addr);
    if (!la.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": ", la.status().message()));
    }
    absl::StatusOr<int> id = server_->Listen(la->host, la->port);
    // "--metrics-addr :8080: cannot listen on 0.0.0.0:8080: Address already in use"
    if (!id.ok()) {
      return absl::Status(id.status().code(),
                          absl::StrCat(flag, " ", addr, ": ", id.status().message()));
    }
    port = server_->port(*id);
    return id;
  };
  absl::StatusOr<int> metrics = listen("--metrics-addr", options_.metrics_addr, metrics_port_);
  if (!metrics.ok()) return metrics.status();
  absl::StatusOr<int> health = listen("--health-addr", options_.health_addr, health_port_);
  if (!health.ok()) return health.status();
  auto text = [](const absl::Status& s) {
    return http::ServerResponse{s.ok() ? 200 : 500, "text/plain; charset=utf-8",
                                s.ok() ? "ok" : std::string(s.message())};
  };
  if (*metrics >= 0) {
    server_->Handle(*metrics, "/metrics", [this](const http::RequestHead&) {
      return http::ServerResponse{200, std::string(MetricsRegistry::kContentType),
                                  registry_.Expose()};
    });
  }
  if (*health >= 0) {
    server_->Handle(*health, "/healthz", [this, text](const http::RequestHead&) {
      std::vector<Check> checks;
      {
        absl::MutexLock l(&mu_);
        checks = health_checks_;
      }
      return text(RunChecks(checks));
    });
    server_->Handle(*health, "/readyz",
                    [this, text](const http::RequestHead&) { return text(ReadyStatus()); });
  }
  return server_->Start();
}

absl::Status Manager::Start() {
  {
    absl::MutexLock l(&mu_);
    if (started_) return absl::OkStatus();
  }
  if (absl::Status s = StartServer(); !s.ok()) return s;
  logger_.Info("starting manager", {{"metrics-addr", options_.metrics_addr}, {"health-addr", options_.health_addr}});

  {
    absl::MutexLock l(&mu_);
    started_ = true;
    for (auto& [key, informer] : informers_) informer->Start();
  }
  if (!options_.enable_leader_election) return StartLeading();

  LeaderElectionOptions le;
  le.lease_name = options_.leader_election_id;
  if (le.lease_name.empty()) {
    // Fallback for binaries that did not set it: "<executable>-leader-election".
    std::string exe = "controller";
    if (FILE* f = std::fopen("/proc/self/comm", "r")) {
      char buf[64] = {0};
      if (std::fgets(buf, sizeof(buf), f) != nullptr) exe = std::string(absl::StripTrailingAsciiWhitespace(buf));
      std::fclose(f);
    }
    le.lease_name = LeaderElectionId(exe, options_.watch_label_selector);
  }
  le.lease_namespace = options_.LeaderElectionNamespace();
  le.identity = options_.leader_election_identity.empty() ? DefaultLeaderIdentity() : options_.leader_election_identity;
  le.lease_duration = options_.leader_election_lease_duration;
  le.renew_deadline = options_.leader_election_renew_deadline;
  le.retry_period = options_.leader_election_retry_period;
  le.release_on_cancel = options_.leader_election_release_on_cancel;
  le.logger = logger_;
  le.on_started_leading = [this] {
    absl::MutexLock l(&mu_);
    if (stopped_) return;
    // Controllers wait for their caches: not on the elector's thread, which must keep renewing.
    leader_thread_ = std::thread([this] { (void)StartLeading(); });
  };
  le.on_stopped_leading = [this] { OnLostLeadership(); };
  elector_ = std::make_unique<LeaderElector>(*client_, std::move(le));
  return elector_->Start();
}

absl::Status Manager::StartLeading() {
  std::vector<Controller*> controllers;
  std::vector<std::function<void()>> callbacks;
  {
    absl::MutexLock l(&mu_);
    if (stopped_) return absl::CancelledError("manager stopped");
    leading_.store(true);
    for (auto& c : controllers_) controllers.push_back(c.get());
    callbacks = leader_callbacks_;
  }
  for (auto& cb : callbacks) cb();
  absl::Status first;
  for (Controller* c : controllers) {
    absl::Status s = c->Start();
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

void Manager::OnLostLeadership() {
  leading_.store(false);
  lost_leadership_.store(true);
  std::vector<Controller*> controllers;
  {
    absl::MutexLock l(&mu_);
    for (auto& c : controllers_) controllers.push_back(c.get());
  }
  // Stop reconciling at once: no key is handed out any more and every
  // in-flight reconcile sees its stop token.
  for (Controller* c : controllers) c->Cancel();
  // Cancelled reconciles get a moment to return (and patch status) before
  // the process goes; none of them starts new work meanwhile.
  for (Controller* c : controllers) c->WaitIdle(std::chrono::seconds(1));
  if (options_.exit_on_lost_leadership) {
    logger_.Error("leader election lost; exiting");
    std::fflush(nullptr);
    _exit(1);
  }
  RequestStop();
}

void Manager::OnStartedLeading(std::function<void()> fn) {
  absl::MutexLock l(&mu_);
  leader_callbacks_.push_back(std::move(fn));
}

bool Manager::IsLeader() const { return leading_.load(); }

void Manager::Stop(Duration grace) {
  std::vector<Controller*> controllers;
  std::vector<std::shared_ptr<Informer>> informers;
  {
    absl::MutexLock l(&mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& c : controllers_) controllers.push_back(c.get());
    for (auto& [key, informer] : informers_) informers.push_back(informer);
  }
  logger_.Info("stopping manager");
  // Controllers drain in parallel, each within `grace` (their queues ignore
  // new events from now on); a lost leadership leaves no grace.
  if (lost_leadership_.load()) grace = Duration::zero();
  std::vector<std::thread> stoppers;
  for (Controller* c : controllers) stoppers.emplace_back([c, grace] { c->Stop(grace); });
  for (auto& t : stoppers) t.join();
  for (auto& i : informers) i->Stop();
  // The elector thread may be starting controllers (they return at once now).
  if (elector_ != nullptr) {
    std::thread starting;
    {
      absl::MutexLock l(&mu_);
      starting = std::move(leader_thread_);
    }
    if (starting.joinable()) starting.join();
    // Only now, with no reconcile in flight, hand the Lease over.
    elector_->Stop();
  } else if (leader_thread_.joinable()) {
    leader_thread_.join();
  }
  leading_.store(false);
  if (server_) server_->Stop();
}

void Manager::RequestStop() {
  if (stop_pipe_[1] >= 0) {
    char c = 'q';
    (void)!write(stop_pipe_[1], &c, 1);
  }
}

absl::Status Manager::Run() {
  g_signal_fd.store(stop_pipe_[1]);
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  struct sigaction old_term {}, old_int {};
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGINT, &sa, &old_int);

  absl::Status status = Start();
  if (!status.ok() && !absl::IsDeadlineExceeded(status)) {
    logger_.Error("manager failed to start", {{"error", std::string(status.message())}});
  } else {
    pollfd pfd{stop_pipe_[0], POLLIN, 0};
    while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
    }
    logger_.Info("shutdown signal received");
    status = absl::OkStatus();
  }
  Stop();
  if (lost_leadership_.load()) status = absl::AbortedError("leader election lost");
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGINT, &old_int, nullptr);
  g_signal_fd.store(-1);
  return status;
}

}  // namespace fluxcpp::runtime
