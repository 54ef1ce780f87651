#include "libs/runtime/controller.h"

#include <cstdio>
#include <exception>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/kube/call_deadline.h"
#include "libs/runtime/jitter.h"
#include "libs/runtime/random.h"

namespace fluxcpp::runtime {
namespace {

std::string NewReconcileId() {
  uint64_t a = absl::Uniform<uint64_t>(ThreadRandom()), b = absl::Uniform<uint64_t>(ThreadRandom());
  // UUID v4 layout, as controller-runtime's reconcileID.
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  return buf;
}

WorkQueueOptions QueueOptions(const ControllerOptions& o, WorkQueueMetrics* metrics) {
  WorkQueueOptions q;
  q.min_retry_delay = o.min_retry_delay;
  q.max_retry_delay = o.max_retry_delay;
  q.metrics = metrics;
  return q;
}

std::unique_ptr<WorkQueueMetrics> MakeQueueMetrics(const ControllerOptions& o) {
  if (o.metrics == nullptr) return nullptr;
  return o.metrics->NewWorkQueueMetrics(o.name);
}

}  // namespace

Controller::Controller(kube::Client& client, ControllerOptions options, std::unique_ptr<Reconciler> reconciler)
    : client_(client),
      options_(std::move(options)),
      reconciler_(std::move(reconciler)),
      queue_metrics_(MakeQueueMetrics(options_)),
      queue_(QueueOptions(options_, queue_metrics_.get())) {
  if (options_.informer != nullptr) {
    primary_ = options_.informer;
    sources_.push_back({primary_, false});
  } else {
    InformerOptions io;
    io.gvk = options_.gvk;
    io.ns = options_.ns;
    io.label_selector = options_.label_selector;
    io.logger = options_.logger.With({{"controller", options_.name}});
    primary_ = std::make_shared<Informer>(client_, std::move(io));
    sources_.push_back({primary_, true});
  }
  if (options_.metrics != nullptr) options_.metrics->SetMaxConcurrentReconciles(options_.name, options_.concurrent);
  AttachPrimaryHandlers();
}

Controller::~Controller() { Stop(std::chrono::seconds(5)); }

void Controller::AttachPrimaryHandlers() {
  UpdatePredicate predicate = options_.update_predicate ? options_.update_predicate : DefaultUpdatePredicate;
  InformerHandlers h;
  h.on_add = [this](const ObjectPtr& obj) { queue_.Add(ObjectKeyOf(*obj)); };
  h.on_update = [this, predicate](const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
    if (predicate(*old_obj, *new_obj)) queue_.Add(ObjectKeyOf(*new_obj));
  };
  h.on_delete = [this](const ObjectPtr& obj) {
    if (options_.metrics != nullptr) {
      options_.metrics->DeleteObject(options_.gvk.kind, object::GetString(*obj, {"metadata", "namespace"}),
                                     object::GetString(*obj, {"metadata", "name"}));
    }
    queue_.Add(ObjectKeyOf(*obj));
  };
  primary_->AddHandlers(std::move(h));
}

std::shared_ptr<Informer> Controller::Watch(const kube::GroupVersionKind& gvk, MapFunc mapper,
                                            UpdatePredicate predicate, const std::string& ns,
                                            const std::string& label_selector) {
  InformerOptions io;
  io.gvk = gvk;
  io.ns = ns;
  io.label_selector = label_selector;
  io.logger = options_.logger.With({{"controller", options_.name}});
  auto informer = std::make_shared<Informer>(client_, std::move(io));
  Watch(informer, std::move(mapper), std::move(predicate));
  sources_.back().owned = true;
  return informer;
}

void Controller::Watch(std::shared_ptr<Informer> informer, MapFunc mapper, UpdatePredicate predicate) {
  auto enqueue = [this, mapper](const object::Value& obj) {
    for (const Request& r : mapper(obj)) queue_.Add(r.Key());
  };
  InformerHandlers h;
  h.on_add = [enqueue](const ObjectPtr& obj) { enqueue(*obj); };
  h.on_update = [enqueue, predicate](const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
    if (!predicate || predicate(*old_obj, *new_obj)) enqueue(*new_obj);
  };
  h.on_delete = [enqueue](const ObjectPtr& obj) { enqueue(*obj); };
  informer->AddHandlers(std::move(h));
  sources_.push_back({std::move(informer), false});
}

absl::Status Controller::Start() {
  if (started_.exchange(true)) return absl::OkStatus();
  {
    // Stop() sets stopped_ before taking the lock: informers started here
    // are either never started or stopped by it.
    absl::MutexLock l(&lifecycle_mu_);
    if (stopped_.load()) return absl::CancelledError(absl::StrCat("controller ", options_.name, " stopped"));
    for (const Source& s : sources_) s.informer->Start();
  }
  absl::Status status;
  auto deadline = std::chrono::steady_clock::now() + options_.cache_sync_timeout;
  for (const Source& s : sources_) {
    // Polls so that Stop() (which may leave shared informers running) ends the wait.
    while (!s.informer->HasSynced() && !stopped_.load() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!s.informer->HasSynced() && status.ok()) {
      status = absl::DeadlineExceededError(
          absl::StrCat("controller ", options_.name, ": timed out waiting for the ", s.informer->options().gvk.kind,
                       " cache to sync"));
    }
  }
  if (!status.ok()) options_.logger.Error(std::string(status.message()), {{"controller", options_.name}});
  int n = std::max(1, options_.concurrent);
  {
    absl::MutexLock l(&lifecycle_mu_);
    if (stopped_.load()) return absl::CancelledError(absl::StrCat("controller ", options_.name, " stopped"));
    for (int i = 0; i < n; ++i) workers_.emplace_back([this] { Worker(); });
  }
  options_.logger.Info("Starting workers",
                       {{"controller", options_.name}, {"controllerGroup", options_.gvk.group},
                        {"controllerKind", options_.gvk.kind}, {"worker count", std::to_string(n)}});
  return status;
}

void Controller::Stop(Duration grace) {
  if (stopped_.exchange(true)) return;
  { absl::MutexLock l(&lifecycle_mu_); }  // a concurrent Start() finished starting informers
  for (const Source& s : sources_) {
    if (s.owned) s.informer->Stop();
  }
  if (!queue_.ShutDownWithDrain(grace)) {
    options_.logger.Error("in-flight reconciles did not finish in time, cancelling them",
                          {{"controller", options_.name}});
    absl::MutexLock l(&active_mu_);
    cancel_all_ = true;
    for (kube::StopToken* t : active_tokens_) t->Stop();
  }
  std::vector<std::thread> workers;
  {
    absl::MutexLock l(&lifecycle_mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) {
    if (t.joinable()) t.join();
  }
}

bool Controller::WaitIdle(Duration timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (active_workers_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return active_workers_.load() == 0;
}

void Controller::Cancel() {
  {
    absl::MutexLock l(&active_mu_);
    cancel_all_ = true;
    for (kube::StopToken* t : active_tokens_) t->Stop();
  }
  queue_.ShutDown();
}

bool Controller::HasSynced() const {
  for (const Source& s : sources_) {
    if (!s.informer->HasSynced()) return false;
  }
  return true;
}

void Controller::Worker() {
  while (std::optional<std::string> key = queue_.Get()) {
    ProcessKey(*key);
    queue_.Done(*key);
  }
}

void Controller::ProcessKey(const std::string& key) {
  Request req = Request::FromKey(key);
  std::string id = NewReconcileId();
  Logger logger = options_.logger.With({{"controller", options_.name},
                                        {"controllerGroup", options_.gvk.group},
                                        {"controllerKind", options_.gvk.kind},
                                        {"name", req.name},
                                        {"namespace", req.ns},
                                        {"reconcileID", id}});
  kube::StopToken token;
  {
    absl::MutexLock l(&active_mu_);
    if (cancel_all_) token.Stop();
    active_tokens_.insert(&token);
  }
  auto start = std::chrono::steady_clock::now();
  ReconcileContext ctx(req, logger, id, start + options_.reconcile_timeout, &token);
  if (options_.metrics != nullptr) options_.metrics->SetActiveWorkers(options_.name, ++active_workers_);

  Result result;
  try {
    // Every Kubernetes call of this reconcile gives up at its deadline.
    kube::ScopedCallDeadline bound(absl::FromChrono(std::chrono::system_clock::now() + options_.reconcile_timeout));
    result = reconciler_->Reconcile(req, ctx);
  } catch (const std::exception& e) {
    // Like controller-runtime's panic recovery: a bug in one reconcile must not end the process.
    result = Result::Error(absl::InternalError(absl::StrCat("reconciler threw: ", e.what())));
  } catch (...) {
    result = Result::Error(absl::InternalError("reconciler threw an unknown exception"));
  }

  Duration took = std::chrono::steady_clock::now() - start;
  {
    absl::MutexLock l(&active_mu_);
    active_tokens_.erase(&token);
  }
  --active_workers_;
  if (options_.metrics != nullptr) options_.metrics->SetActiveWorkers(options_.name, active_workers_.load());

  std::string outcome;
  if (!result.error.ok() && result.terminal) {
    outcome = "error";
    logger.Error("Reconciler error", {{"error", std::string(result.error.message())}, {"terminal", "true"}});
    queue_.Forget(key);
  } else if (!result.error.ok()) {
    outcome = "error";
    logger.Error("Reconciler error", {{"error", std::string(result.error.message())}});
    queue_.AddRateLimited(key);
  } else if (result.requeue_after.has_value()) {
    queue_.Forget(key);
    if (*result.requeue_after <= Duration::zero()) {
      outcome = "requeue";
      queue_.Add(key);
    } else {
      outcome = "requeue_after";
      queue_.AddAfter(key, result.jitter ? Jitter(*result.requeue_after, options_.jitter_percentage)
                                         : *result.requeue_after);
    }
  } else {
    outcome = "success";
    queue_.Forget(key);
  }
  if (options_.metrics != nullptr) {
    options_.metrics->RecordReconcile(options_.name, outcome, took);
    // Only objects that still exist get a duration series (deleted ones had theirs removed).
    if (primary_->Contains(key)) options_.metrics->RecordDuration(options_.gvk.kind, req.ns, req.name, took);
  }
}

}  // namespace fluxcpp::runtime
