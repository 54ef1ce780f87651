#pragma once
// Client side of ArtifactService, used by consumers (kustomize-controller):
// keeps a stream open to source-controller and calls back on every notice,
// reconnecting with backoff when the link drops. Losing the link only delays
// reactions; consumers keep their Kubernetes watches as the fallback.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/rpc/types.h"

namespace fluxcpp::rpc {

class ArtifactWatcher {
 public:
  using Callback = std::function<void(const SourceRef&, const ArtifactInfo&)>;
  // `target` "host:port"; `kinds` empty = all kinds. The callback runs on the
  // watcher's thread.
  static std::unique_ptr<ArtifactWatcher> Start(const std::string& target, std::vector<std::string> kinds,
                                                Callback callback);
  virtual ~ArtifactWatcher() = default;
  // One-off lookup; nullopt when the source has no artifact.
  virtual absl::StatusOr<std::optional<ArtifactInfo>> Get(const SourceRef& source) = 0;
  // True while the stream is established.
  virtual bool connected() const = 0;
  virtual void Stop() = 0;
};

}  // namespace fluxcpp::rpc
