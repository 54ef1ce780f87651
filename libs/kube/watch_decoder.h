#pragma once
// Decodes a Kubernetes JSON watch stream: one JSON event object per line
// ({"type":"ADDED","object":{...}}\n), arriving in arbitrary chunks.

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "libs/kube/client.h"

namespace fluxcpp::kube {

class WatchDecoder {
 public:
  // Called per decoded event; return false to stop decoding.
  using Sink = std::function<bool(WatchEvent event)>;

  // Appends `chunk` and emits every event completed by it. Returns
  // kCancelled when the sink asked to stop, kDataLoss on a line that is not
  // a watch event.
  absl::Status Feed(std::string_view chunk, const Sink& sink);
  // At the end of the stream: decodes a final line without its newline.
  absl::Status Finish(const Sink& sink);

  // Bytes of an incomplete line held back.
  size_t pending() const { return buffer_.size() - consumed_; }

 private:
  absl::Status DecodeLine(std::string_view line, const Sink& sink);

  std::string buffer_;
  size_t consumed_ = 0;
};

}  // namespace fluxcpp::kube
