#pragma once
// Server side of ArtifactService, run by source-controller: remembers the
// current artifact of every source and streams a notice to every watcher when
// one changes. Thread-safe.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/rpc/types.h"

namespace fluxcpp::rpc {

class ArtifactHub {
 public:
  // `address` like ":9091" or "127.0.0.1:0".
  static absl::StatusOr<std::unique_ptr<ArtifactHub>> Start(const std::string& address);
  virtual ~ArtifactHub() = default;
  // Records `artifact` as current for `source`; notifies watchers when it changed.
  virtual void Publish(const SourceRef& source, const ArtifactInfo& artifact) = 0;
  // Forgets a deleted source.
  virtual void Remove(const SourceRef& source) = 0;
  virtual int port() const = 0;
  virtual void Shutdown() = 0;
};

}  // namespace fluxcpp::rpc
