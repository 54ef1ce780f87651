#pragma once
// Reads Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`,
// what kubectl's typed clients send, e.g. `kubectl create namespace`) into
// the JSON object model.
//
// The envelope is the 4-byte magic "k8s\0" followed by a runtime.Unknown
// message (typeMeta, raw); raw is the object encoded with the field layout
// of k8s.io/api's generated.proto, embedded in proto_schema_data.inc for
// every built-in kind this server serves. Well-known types map to their JSON
// forms (Time/MicroTime -> RFC 3339, Duration -> Go duration, Quantity ->
// string, IntOrString -> int or string, RawExtension/FieldsV1 -> embedded
// JSON, bytes -> base64).
//
// Go's protobuf encoding writes non-pointer fields even when empty, so empty
// strings, zero numbers, false booleans and empty messages/lists are dropped
// (JSON omitempty). Limitation: an explicit zero in a pointer field (e.g.
// `replicas: 0`) is dropped too.
//
// Thread-safe (the schema is parsed once, on first use).

#include <string_view>

#include "absl/status/statusor.h"
#include "libs/object/value.h"

namespace fluxcpp::devapiserver {

inline constexpr std::string_view kProtobufMediaType = "application/vnd.kubernetes.protobuf";

// InvalidArgument for malformed input; Unimplemented for unknown kinds.
absl::StatusOr<object::Value> DecodeKubernetesProtobuf(std::string_view body);

}  // namespace fluxcpp::devapiserver
