#include "libs/rpc/event_json.h"

#include "libs/object/value.h"

namespace fluxcpp::rpc {

std::string EventToJson(const EventMessage& e) {
  object::Value v = object::Value::object();
  object::Value ref = object::Value::object();
  ref["kind"] = e.involved_object.kind;
  ref["namespace"] = e.involved_object.ns;
  ref["name"] = e.involved_object.name;
  if (!e.involved_object.uid.empty()) ref["uid"] = e.involved_object.uid;
  if (!e.involved_object.api_version.empty()) ref["apiVersion"] = e.involved_object.api_version;
  if (!e.involved_object.resource_version.empty()) ref["resourceVersion"] = e.involved_object.resource_version;
  v["involvedObject"] = std::move(ref);
  v["severity"] = e.severity;
  v["timestamp"] = e.timestamp;
  v["message"] = e.message;
  v["reason"] = e.reason;
  if (!e.metadata.empty()) {
    object::Value md = object::Value::object();
    for (const auto& [k, val] : e.metadata) md[k] = val;
    v["metadata"] = std::move(md);
  }
  v["reportingController"] = e.reporting_controller;
  if (!e.reporting_instance.empty()) v["reportingInstance"] = e.reporting_instance;
  return object::ToJson(v);
}

absl::StatusOr<EventMessage> EventFromJson(std::string_view json) {
  auto parsed = object::ParseJson(json);
  if (!parsed.ok()) return parsed.status();
  const object::Value& v = *parsed;
  if (!v.is_object()) return absl::InvalidArgumentError("event must be a JSON object");
  const object::Value* ref = object::Find(v, {"involvedObject"});
  if (ref == nullptr || !ref->is_object()) return absl::InvalidArgumentError("event: involvedObject is required");
  EventMessage e;
  e.involved_object.kind = object::GetString(*ref, {"kind"});
  e.involved_object.ns = object::GetString(*ref, {"namespace"});
  e.involved_object.name = object::GetString(*ref, {"name"});
  e.involved_object.uid = object::GetString(*ref, {"uid"});
  e.involved_object.api_version = object::GetString(*ref, {"apiVersion"});
  e.involved_object.resource_version = object::GetString(*ref, {"resourceVersion"});
  if (e.involved_object.kind.empty() || e.involved_object.name.empty()) {
    return absl::InvalidArgumentError("event: involvedObject.kind and involvedObject.name are required");
  }
  e.severity = object::GetString(v, {"severity"});
  e.timestamp = object::GetString(v, {"timestamp"});
  e.message = object::GetString(v, {"message"});
  e.reason = object::GetString(v, {"reason"});
  e.reporting_controller = object::GetString(v, {"reportingController"});
  e.reporting_instance = object::GetString(v, {"reportingInstance"});
  if (e.severity.empty()) return absl::InvalidArgumentError("event: severity is required");
  if (e.reason.empty()) return absl::InvalidArgumentError("event: reason is required");
  if (e.message.empty()) return absl::InvalidArgumentError("event: message is required");
  if (const object::Value* md = object::Find(v, {"metadata"}); md != nullptr && md->is_object()) {
    for (auto it = md->begin(); it != md->end(); ++it) {
      if (it.value().is_string()) e.metadata[it.key()] = it.value().get<std::string>();
    }
  }
  return e;
}

}  // namespace fluxcpp::rpc
