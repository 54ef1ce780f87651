#pragma once
// Plain C++ forms of the messages in proto/fluxcpp/v1, so that callers never
// include gRPC or Protobuf headers.

#include <cstdint>
#include <map>
#include <string>

namespace fluxcpp::rpc {

struct ObjectRef {
  std::string kind;
  std::string ns;
  std::string name;
  std::string uid;
  std::string api_version;
  std::string resource_version;
};

// One Flux event (fluxcd/pkg/apis/event.Event).
struct EventMessage {
  ObjectRef involved_object;
  std::string severity;   // "info", "error", "trace"
  std::string timestamp;  // RFC 3339
  std::string message;
  std::string reason;
  std::map<std::string, std::string> metadata;
  std::string reporting_controller;
  std::string reporting_instance;
};

struct SourceRef {
  std::string kind;
  std::string ns;
  std::string name;
  std::string Key() const { return kind + "/" + ns + "/" + name; }
  bool operator==(const SourceRef&) const = default;
};

// .status.artifact of a source.
struct ArtifactInfo {
  std::string path;
  std::string url;
  std::string revision;
  std::string digest;
  std::string last_update_time;
  int64_t size = 0;
  std::map<std::string, std::string> metadata;
  bool operator==(const ArtifactInfo&) const = default;
};

}  // namespace fluxcpp::rpc
