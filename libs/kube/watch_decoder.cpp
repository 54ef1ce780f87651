#include "libs/kube/watch_decoder.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/strings/ascii.h"
#include "libs/kube/string_view_compat.h"

namespace fluxcpp::kube {

absl::Status WatchDecoder::DecodeLine(std::string_view line, const Sink& sink) {
  line = ToStd(absl::StripAsciiWhitespace(ToAbsl(line)));
  if (line.empty()) return absl::OkStatus();
  auto parsed = object::ParseJson(line);
  if (!parsed.ok() || !parsed->is_object()) {
    return absl::DataLossError(absl::StrCat("malformed watch event: ",
                                            parsed.ok() ? "not an object" : parsed.status().message()));
  }
  WatchEvent event;
  event.type = object::GetString(*parsed, {"type"});
  if (event.type.empty()) return absl::DataLossError("malformed watch event: no type");
  auto it = parsed->find("object");
  if (it != parsed->end()) event.object = std::move(*it);
  if (!sink(std::move(event))) return absl::CancelledError("watch consumer stopped");
  return absl::OkStatus();
}

absl::Status WatchDecoder::Feed(std::string_view chunk, const Sink& sink) {
  // Only search the new bytes for newlines.
  size_t scan_from = buffer_.size();
  buffer_.append(chunk);
  for (;;) {
    size_t nl = buffer_.find('\n', scan_from);
    if (nl == std::string::npos) break;
    std::string_view line(buffer_.data() + consumed_, nl - consumed_);
    absl::Status status = DecodeLine(line, sink);
    consumed_ = nl + 1;
    scan_from = consumed_;
    if (!status.ok()) return status;
  }
  // Compact once the consumed prefix dominates.
  if (consumed_ > 0 && (consumed_ == buffer_.size() || consumed_ > 64 * 1024)) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  return absl::OkStatus();
}

absl::Status WatchDecoder::Finish(const Sink& sink) {
  std::string rest = buffer_.substr(consumed_);
  buffer_.clear();
  consumed_ = 0;
  return DecodeLine(rest, sink);
}

}  // namespace fluxcpp::kube
