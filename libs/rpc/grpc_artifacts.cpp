// ArtifactHub (server) and ArtifactWatcher (client) over gRPC ArtifactService.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "fluxcpp/v1/artifact.grpc.pb.h"
#include "libs/core/logger.h"
#include "libs/rpc/address.h"
#include "libs/rpc/artifact_hub.h"
#include "libs/rpc/artifact_watcher.h"

namespace fluxcpp::rpc {
namespace {

void ToProto(const ArtifactInfo& in, fluxcpp::v1::Artifact* out) {
  out->set_path(in.path);
  out->set_url(in.url);
  out->set_revision(in.revision);
  out->set_digest(in.digest);
  out->set_last_update_time(in.last_update_time);
  out->set_size(in.size);
  for (const auto& [k, v] : in.metadata) (*out->mutable_metadata())[k] = v;
}

ArtifactInfo FromProto(const fluxcpp::v1::Artifact& in) {
  ArtifactInfo out;
  out.path = in.path();
  out.url = in.url();
  out.revision = in.revision();
  out.digest = in.digest();
  out.last_update_time = in.last_update_time();
  out.size = in.size();
  for (const auto& [k, v] : in.metadata()) out.metadata[k] = v;
  return out;
}

void ToProto(const SourceRef& in, fluxcpp::v1::SourceReference* out) {
  out->set_kind(in.kind);
  out->set_namespace_(in.ns);
  out->set_name(in.name);
}

SourceRef FromProto(const fluxcpp::v1::SourceReference& in) { return {in.kind(), in.namespace_(), in.name()}; }

// Current artifacts plus a sequence number per change, shared by all streams.
class ArtifactState {
 public:
  void Publish(const SourceRef& source, const ArtifactInfo& artifact) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& entry = entries_[source.Key()];
      if (entry.present && entry.artifact == artifact) return;
      entry = {source, artifact, ++seq_, true};
    }
    cv_.notify_all();
  }
  void Remove(const SourceRef& source) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(source.Key());
  }
  std::optional<ArtifactInfo> Get(const SourceRef& source) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(source.Key());
    if (it == entries_.end()) return std::nullopt;
    return it->second.artifact;
  }
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  // Streams every entry newer than `since` until `cancelled()` or Close().
  template <typename Write, typename Cancelled>
  void Stream(const std::vector<std::string>& kinds, Write write, Cancelled cancelled) {
    uint64_t since = 0;
    std::unique_lock<std::mutex> lock(mu_);
    while (!closed_ && !cancelled()) {
      std::vector<std::pair<SourceRef, ArtifactInfo>> batch;
      uint64_t newest = since;
      for (const auto& [key, e] : entries_) {
        if (e.seq <= since) continue;
        newest = std::max(newest, e.seq);
        if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), e.source.kind) == kinds.end()) continue;
        batch.emplace_back(e.source, e.artifact);
      }
      since = newest;
      if (!batch.empty()) {
        lock.unlock();
        for (const auto& [s, a] : batch) {
          if (!write(s, a)) return;
        }
        lock.lock();
        continue;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(500));
    }
  }

 private:
  struct Entry {
    SourceRef source;
    ArtifactInfo artifact;
    uint64_t seq = 0;
    bool present = false;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Entry> entries_;
  uint64_t seq_ = 0;
  bool closed_ = false;
};

class ArtifactServiceImpl final : public fluxcpp::v1::ArtifactService::Service {
 public:
  explicit ArtifactServiceImpl(ArtifactState* state) : state_(state) {}

  grpc::Status GetArtifact(grpc::ServerContext*, const fluxcpp::v1::GetArtifactRequest* request,
                           fluxcpp::v1::GetArtifactResponse* response) override {
    auto artifact = state_->Get(FromProto(request->source()));
    response->set_found(artifact.has_value());
    if (artifact) ToProto(*artifact, response->mutable_artifact());
    return grpc::Status::OK;
  }

  grpc::Status WatchArtifacts(grpc::ServerContext* ctx, const fluxcpp::v1::WatchArtifactsRequest* request,
                              grpc::ServerWriter<fluxcpp::v1::ArtifactNotice>* writer) override {
    std::vector<std::string> kinds(request->kinds().begin(), request->kinds().end());
    state_->Stream(
        kinds,
        [&](const SourceRef& s, const ArtifactInfo& a) {
          fluxcpp::v1::ArtifactNotice notice;
          ToProto(s, notice.mutable_source());
          ToProto(a, notice.mutable_artifact());
          return writer->Write(notice);
        },
        [&] { return ctx->IsCancelled(); });
    return grpc::Status::OK;
  }

 private:
  ArtifactState* state_;
};

class GrpcArtifactHub : public ArtifactHub {
 public:
  GrpcArtifactHub() : service_(&state_) {}
  ~GrpcArtifactHub() override { Shutdown(); }

  absl::Status Listen(const std::string& address) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(NormalizeListenAddress(address), grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
    return absl::OkStatus();
  }

  void Publish(const SourceRef& source, const ArtifactInfo& artifact) override { state_.Publish(source, artifact); }
  void Remove(const SourceRef& source) override { state_.Remove(source); }
  int port() const override { return port_; }
  void Shutdown() override {
    state_.Close();
    if (server_) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
      server_.reset();
    }
  }

 private:
  ArtifactState state_;
  ArtifactServiceImpl service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

class GrpcArtifactWatcher : public ArtifactWatcher {
 public:
  GrpcArtifactWatcher(const std::string& target, std::vector<std::string> kinds, Callback callback)
      : channel_(grpc::CreateChannel(target, grpc::InsecureChannelCredentials())),
        stub_(fluxcpp::v1::ArtifactService::NewStub(channel_)),
        kinds_(std::move(kinds)),
        callback_(std::move(callback)),
        target_(target) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~GrpcArtifactWatcher() override { Stop(); }

  absl::StatusOr<std::optional<ArtifactInfo>> Get(const SourceRef& source) override {
    fluxcpp::v1::GetArtifactRequest request;
    ToProto(source, request.mutable_source());
    fluxcpp::v1::GetArtifactResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Status s = stub_->GetArtifact(&ctx, request, &response);
    if (!s.ok()) return absl::UnavailableError(absl::StrCat("ArtifactService ", target_, ": ", s.error_message()));
    if (!response.found()) return std::optional<ArtifactInfo>();
    return std::optional<ArtifactInfo>(FromProto(response.artifact()));
  }

  bool connected() const override { return connected_.load(); }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      if (ctx_) ctx_->TryCancel();
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    Logger log({{"component", "artifact-watcher"}, {"target", target_}});
    int backoff_ms = 250;
    while (true) {
      auto ctx = std::make_shared<grpc::ClientContext>();
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
        ctx_ = ctx;
      }
      fluxcpp::v1::WatchArtifactsRequest request;
      for (const auto& k : kinds_) request.add_kinds(k);
      auto reader = stub_->WatchArtifacts(ctx.get(), request);
      fluxcpp::v1::ArtifactNotice notice;
      bool first = true;
      while (reader->Read(&notice)) {
        if (first) {
          connected_ = true;
          backoff_ms = 250;
          first = false;
        }
        callback_(FromProto(notice.source()), FromProto(notice.artifact()));
      }
      grpc::Status s = reader->Finish();
      connected_ = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ctx_.reset();
      }
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) return;
      log.Debug("artifact stream ended; reconnecting", {{"error", s.error_message()}});
      cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [&] { return stopping_; });
      backoff_ms = std::min(backoff_ms * 2, 10000);
    }
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<fluxcpp::v1::ArtifactService::Stub> stub_;
  std::vector<std::string> kinds_;
  Callback callback_;
  std::string target_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<grpc::ClientContext> ctx_;
  bool stopping_ = false;
  std::atomic<bool> connected_{false};
  std::thread thread_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ArtifactHub>> ArtifactHub::Start(const std::string& address) {
  auto hub = std::make_unique<GrpcArtifactHub>();
  if (absl::Status s = hub->Listen(address); !s.ok()) return s;
  return std::unique_ptr<ArtifactHub>(std::move(hub));
}

std::unique_ptr<ArtifactWatcher> ArtifactWatcher::Start(const std::string& target, std::vector<std::string> kinds,
                                                        Callback callback) {
  return std::make_unique<GrpcArtifactWatcher>(target, std::move(kinds), std::move(callback));
}

}  // namespace fluxcpp::rpc
