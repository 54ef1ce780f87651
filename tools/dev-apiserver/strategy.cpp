#include "tools/dev-apiserver/strategy.h"

#include <openssl/rand.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/apimachinery/cel_validation.h"
#include "libs/apimachinery/schema_defaulting.h"
#include "libs/apimachinery/schema_pruning.h"
#include "libs/apimachinery/schema_validation.h"
#include "libs/core/status_macros.h"
#include "tools/dev-apiserver/api_error.h"
#include "tools/dev-apiserver/crd.h"
#include "tools/dev-apiserver/immutable_fields.h"

namespace fluxcpp::devapiserver {
namespace {

using object::Value;

void FoldStringData(Value& obj) {
  auto it = obj.find("stringData");
  if (it == obj.end()) return;
  Value string_data = std::move(*it);  // copy out: inserting "data" may move the map's storage
  obj.erase("stringData");
  if (!string_data.is_object()) return;
  Value& data = obj["data"];
  if (!data.is_object()) data = Value::object();
  for (auto kv = string_data.begin(); kv != string_data.end(); ++kv) {
    if (kv.value().is_string()) data[kv.key()] = absl::Base64Escape(kv.value().get<std::string>());
  }
}

std::string AllocateClusterIp() {
  unsigned char b[2];
  if (RAND_bytes(b, 2) != 1) b[0] = b[1] = 7;
  int third = b[0] % 256, fourth = 1 + b[1] % 254;
  return absl::StrCat("10.96.", third, ".", fourth);
}

void DefaultService(Value& obj, const Value* current) {
  Value& spec = object::Ensure(obj, {"spec"});
  if (!spec.is_object()) spec = Value::object();
  if (!spec.contains("type")) spec["type"] = "ClusterIP";
  std::string type = spec.value("type", "ClusterIP");
  if (!spec.contains("sessionAffinity")) spec["sessionAffinity"] = "None";
  if (type == "ExternalName") return;
  std::string ip;
  if (current != nullptr) ip = object::GetString(*current, {"spec", "clusterIP"});
  if (spec.contains("clusterIP") && spec["clusterIP"].is_string() && !spec["clusterIP"].get<std::string>().empty()) {
    ip = spec["clusterIP"].get<std::string>();
  }
  if (ip.empty()) ip = AllocateClusterIp();
  spec["clusterIP"] = ip;
  if (ip != "None") spec["clusterIPs"] = Value::array({ip});
}

// Built-in kinds with a published schema: with fieldValidation=Strict,
// unknown fields are a 400 like kube's strict decoding. Fields the stored
// object already had are not blamed on this request. Nothing is pruned (the
// published schemas leave some nested types open).
absl::Status CheckBuiltinUnknownFields(const ResourceInfo& r, const Value& obj, const Value* current,
                                       const std::string& field_validation) {
  if (r.custom || r.builtin_schema == nullptr || field_validation != "Strict") return absl::OkStatus();
  Value copy = obj;
  std::vector<std::string> unknown = apimachinery::PruneUnknownFields(copy, *r.builtin_schema);
  if (unknown.empty()) return absl::OkStatus();
  std::vector<std::string> before;
  if (current != nullptr) {
    Value old = *current;
    before = apimachinery::PruneUnknownFields(old, *r.builtin_schema);
  }
  std::vector<std::string> parts;
  for (const auto& p : unknown) {
    if (std::find(before.begin(), before.end(), p) == before.end()) {
      parts.push_back(absl::StrCat("unknown field \"", p, "\""));
    }
  }
  if (parts.empty()) return absl::OkStatus();
  return BadRequestError(absl::StrCat(r.kind, " in version \"", r.version, "\" cannot be handled as a ", r.kind,
                                      ": strict decoding error: ", absl::StrJoin(parts, ", ")));
}

// x-kubernetes-validations rules that do not compile make the CRD invalid (422).
absl::Status ValidateCrdRules(const ResourceInfo& r, const Value& crd) {
  std::vector<Cause> causes;
  for (auto& e : apimachinery::ValidateCrdCelRules(crd)) causes.push_back({e.type, e.message, e.field});
  if (causes.empty()) return absl::OkStatus();
  return InvalidError(r, object::GetString(crd, {"metadata", "name"}), causes);
}

// kube's order for custom resources: prune unknown fields, default, validate
// (OpenAPI schema, then CEL rules; `current` is the stored object on update).
absl::Status ApplySchema(const ResourceInfo& r, Value& obj, const std::string& field_validation,
                         const Value* current = nullptr) {
  if (!r.custom || r.schema == nullptr) return absl::OkStatus();
  std::vector<std::string> pruned = apimachinery::PruneUnknownFields(obj, *r.schema);
  if (!pruned.empty() && field_validation == "Strict") {
    std::vector<std::string> parts;
    for (const auto& p : pruned) parts.push_back(absl::StrCat("unknown field \"", p, "\""));
    return BadRequestError(absl::StrCat(r.kind, " in version \"", r.version, "\" cannot be handled as a ", r.kind,
                                        ": strict decoding error: ", absl::StrJoin(parts, ", ")));
  }
  apimachinery::ApplyStructuralDefaults(obj, *r.schema);
  auto errors = apimachinery::ValidateAgainstSchema(obj, *r.schema);
  apimachinery::AppendCelValidationErrors(r.schema, obj, current, errors);
  if (errors.empty()) return absl::OkStatus();
  std::vector<Cause> causes;
  for (auto& e : errors) causes.push_back({e.type, e.message, e.field});
  return InvalidError(r, object::GetString(obj, {"metadata", "name"}), causes);
}

}  // namespace

bool IsNamespaceResource(const ResourceInfo& r) { return r.group.empty() && r.plural == "namespaces"; }
bool IsCrdResource(const ResourceInfo& r) {
  return r.group == "apiextensions.k8s.io" && r.plural == "customresourcedefinitions";
}

absl::Status ValidateMetadataMaps(const Value& obj) {
  for (const char* field : {"labels", "annotations"}) {
    const Value* m = object::Find(obj, {"metadata", field});
    if (m == nullptr || m->is_null()) continue;
    if (!m->is_object()) {
      return BadRequestError(absl::StrCat("json: cannot unmarshal ", m->type_name(),
                                          " into Go struct field ObjectMeta.metadata.", field,
                                          " of type map[string]string"));
    }
    for (auto it = m->begin(); it != m->end(); ++it) {
      if (!it.value().is_string()) {
        return BadRequestError(absl::StrCat("json: cannot unmarshal ", it.value().type_name(),
                                            " into Go struct field ObjectMeta.metadata.", field, " of type string"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status PrepareForCreate(const ResourceInfo& r, Value& obj, const std::string& now,
                              const std::string& field_validation) {
  if (r.has_status) {
    if (r.custom) {
      obj.erase("status");
    } else {
      obj["status"] = Value::object();
    }
  }
  const std::string name = object::GetString(obj, {"metadata", "name"});
  if (IsNamespaceResource(r)) {
    obj["status"] = {{"phase", "Active"}};
    Value& spec = object::Ensure(obj, {"spec"});
    if (!spec.is_object()) spec = Value::object();
    if (!spec.contains("finalizers")) spec["finalizers"] = Value::array({"kubernetes"});
    object::Ensure(obj, {"metadata", "labels", "kubernetes.io/metadata.name"}) = name;
  } else if (r.group.empty() && r.plural == "secrets") {
    FoldStringData(obj);
    if (!obj.contains("type")) obj["type"] = "Opaque";
  } else if (r.group.empty() && r.plural == "services") {
    DefaultService(obj, nullptr);
  } else if (IsCrdResource(r)) {
    if (absl::Status st = ValidateCrd(r, obj); !st.ok()) return st;
    FLUX_RETURN_IF_ERROR(ValidateCrdRules(r, obj));
    SetCrdStatus(obj, now);
  }
  FLUX_RETURN_IF_ERROR(CheckBuiltinUnknownFields(r, obj, nullptr, field_validation));
  return ApplySchema(r, obj, field_validation);
}

absl::Status PrepareForUpdate(const ResourceInfo& r, const Value& current, Value& obj, const std::string& now,
                              const std::string& field_validation) {
  if (IsNamespaceResource(r)) {
    if (const Value* f = object::Find(current, {"spec", "finalizers"}); f != nullptr) {
      object::Ensure(obj, {"spec", "finalizers"}) = *f;
    }
    object::Ensure(obj, {"metadata", "labels", "kubernetes.io/metadata.name"}) =
        object::GetString(obj, {"metadata", "name"});
  } else if (r.group.empty() && r.plural == "secrets") {
    FoldStringData(obj);
    if (!obj.contains("type")) obj["type"] = current.value("type", "Opaque");
  } else if (r.group.empty() && r.plural == "services") {
    DefaultService(obj, &current);
  } else if (IsCrdResource(r)) {
    if (absl::Status st = ValidateCrd(r, obj); !st.ok()) return st;
    FLUX_RETURN_IF_ERROR(ValidateCrdRules(r, obj));
    SetCrdStatus(obj, now);
  }
  if (absl::Status st = ValidateImmutableFields(r, current, obj); !st.ok()) return st;
  FLUX_RETURN_IF_ERROR(CheckBuiltinUnknownFields(r, obj, &current, field_validation));
  return ApplySchema(r, obj, field_validation, &current);
}

}  // namespace fluxcpp::devapiserver
